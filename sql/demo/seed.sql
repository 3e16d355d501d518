-- Demo data for the demo PMS (sql/demo/pms_schema.sql): three clinics in two
-- time zones, eight practitioners, a bookable nurse room, rosters, leave,
-- public holidays, 60 fictional patients and ~300 appointments around today.
--
-- Dates are relative to each clinic's local "today", so the demo always looks
-- live. Deterministic: every "random" choice is an md5 of a stable key (day
-- offset, practitioner, slot), so two databases seeded on the same day hold
-- the same diary. Guarded: does nothing when pms.clinic already has rows.
--
-- All people, phone numbers and e-mail addresses are fictional: mobiles come
-- from ACMA's list of numbers reserved for fiction (0491 570 xxx ...),
-- landlines from the reserved 5550 xxxx ranges, e-mails use example.* domains,
-- Medicare numbers are made up (with a valid check digit).
--
-- Ids are fixed so tests and docs can name them:
--   clinics       1 Subiaco Family Medical (WA, Australia/Perth)
--                 2 Surry Hills Medical Centre (NSW, Australia/Sydney)
--                 3 Bondi Junction Health (NSW, Australia/Sydney)
--   specialties   1 General Practice, 2 Skin Checks, 3 Physiotherapy, 4 Psychology
--   practitioners 1 Dr Sarah Mitchell   (GP + Skin Checks, clinic 1)
--                 2 Dr James Nguyen     (GP, clinic 1)
--                 3 Ms Chloe Anderson   (Physiotherapy, clinic 1)
--                 4 Dr Priya Sharma     (GP, clinic 2)
--                 5 Dr Michael O'Brien  (GP, part time at clinics 2 and 3)
--                 6 Dr Olivia Chen      (GP, clinic 2; on leave days +3..+9)
--                 7 Dr Thomas Walker    (GP, clinic 3)
--                 8 Mr Daniel Rossi     (Psychology, clinic 3)
--                 9 Dr Helen Brooks     (retired: inactive)
--   rooms         1 Nurse Treatment Room (clinic 1, bookable), 2 Procedure Room (clinic 2, not bookable)
--   patients      1-24 live in Perth, 25-60 in Sydney

-- md5-based pick in [0, n): stable across PostgreSQL versions, unlike hashtext.
CREATE OR REPLACE FUNCTION pg_temp.seed_pick(key text, n integer) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT (('x' || substr(md5(key), 1, 7))::bit(28)::integer % n)
$$;

DO $seed$
BEGIN
  -- two installers at once: the second waits, then finds the data and skips
  PERFORM pg_advisory_xact_lock(hashtext('pms demo seed'));
  IF EXISTS (SELECT 1 FROM pms.clinic) THEN
    RAISE NOTICE 'pms demo seed skipped: pms.clinic already has rows';
    RETURN;
  END IF;

  ---------------------------------------------------------------- clinics
  INSERT INTO pms.clinic (clinic_id, name, address_line1, suburb, state, postcode, phone, email, time_zone) VALUES
    (1, 'Subiaco Family Medical',     '388 Rokeby Road',   'Subiaco',        'WA',  '6008', '(08) 5550 1200', 'reception@subiacofamily.example.com', 'Australia/Perth'),
    (2, 'Surry Hills Medical Centre', '512 Crown Street',  'Surry Hills',    'NSW', '2010', '(02) 5550 2300', 'hello@surryhillsmedical.example.com', 'Australia/Sydney'),
    (3, 'Bondi Junction Health',      '160 Oxford Street', 'Bondi Junction', 'NSW', '2022', '(02) 5550 3400', 'frontdesk@bjhealth.example.com',      'Australia/Sydney');

  INSERT INTO pms.clinic_hours (clinic_id, weekday, opens, closes)
  SELECT c, wd, o, cl
  FROM (VALUES (1, '08:00'::time, '18:00'::time), (2, '08:00', '18:00'), (3, '08:30', '17:30')) v(c, o, cl),
       generate_series(1, 5) wd
  UNION ALL VALUES (1, 6, '08:30'::time, '12:30'::time), (2, 6, '09:00', '13:00');

  ---------------------------------------------------------------- public holidays
  -- Real WA and NSW gazetted dates, 2025-2027. state NULL = both states.
  INSERT INTO pms.public_holiday (state, holiday_date, name) VALUES
    (NULL,  '2025-01-01', 'New Year''s Day'),
    (NULL,  '2025-01-27', 'Australia Day (observed)'),
    ('WA',  '2025-03-03', 'Labour Day'),
    (NULL,  '2025-04-18', 'Good Friday'),
    ('NSW', '2025-04-19', 'Easter Saturday'),
    (NULL,  '2025-04-20', 'Easter Sunday'),
    (NULL,  '2025-04-21', 'Easter Monday'),
    (NULL,  '2025-04-25', 'Anzac Day'),
    ('WA',  '2025-06-02', 'Western Australia Day'),
    ('NSW', '2025-06-09', 'King''s Birthday'),
    ('WA',  '2025-09-29', 'King''s Birthday'),
    ('NSW', '2025-10-06', 'Labour Day'),
    (NULL,  '2025-12-25', 'Christmas Day'),
    (NULL,  '2025-12-26', 'Boxing Day'),
    (NULL,  '2026-01-01', 'New Year''s Day'),
    (NULL,  '2026-01-26', 'Australia Day'),
    ('WA',  '2026-03-02', 'Labour Day'),
    (NULL,  '2026-04-03', 'Good Friday'),
    ('NSW', '2026-04-04', 'Easter Saturday'),
    (NULL,  '2026-04-05', 'Easter Sunday'),
    (NULL,  '2026-04-06', 'Easter Monday'),
    (NULL,  '2026-04-25', 'Anzac Day'),
    ('WA',  '2026-04-27', 'Anzac Day (additional day)'),
    ('WA',  '2026-06-01', 'Western Australia Day'),
    ('NSW', '2026-06-08', 'King''s Birthday'),
    ('WA',  '2026-09-28', 'King''s Birthday'),
    ('NSW', '2026-10-05', 'Labour Day'),
    (NULL,  '2026-12-25', 'Christmas Day'),
    (NULL,  '2026-12-26', 'Boxing Day'),
    (NULL,  '2026-12-28', 'Boxing Day (additional day)'),
    (NULL,  '2027-01-01', 'New Year''s Day'),
    (NULL,  '2027-01-26', 'Australia Day'),
    ('WA',  '2027-03-01', 'Labour Day'),
    (NULL,  '2027-03-26', 'Good Friday'),
    ('NSW', '2027-03-27', 'Easter Saturday'),
    (NULL,  '2027-03-28', 'Easter Sunday'),
    (NULL,  '2027-03-29', 'Easter Monday'),
    (NULL,  '2027-04-25', 'Anzac Day'),
    ('WA',  '2027-04-26', 'Anzac Day (additional day)'),
    ('WA',  '2027-06-07', 'Western Australia Day'),
    ('NSW', '2027-06-14', 'King''s Birthday'),
    ('WA',  '2027-09-27', 'King''s Birthday'),
    ('NSW', '2027-10-04', 'Labour Day'),
    (NULL,  '2027-12-25', 'Christmas Day'),
    (NULL,  '2027-12-26', 'Boxing Day'),
    (NULL,  '2027-12-27', 'Christmas Day (additional day)'),
    (NULL,  '2027-12-28', 'Boxing Day (additional day)');

  ---------------------------------------------------------------- people and rooms
  INSERT INTO pms.specialty (specialty_id, name) VALUES
    (1, 'General Practice'), (2, 'Skin Checks'), (3, 'Physiotherapy'), (4, 'Psychology');

  INSERT INTO pms.practitioner (practitioner_id, title, first_name, last_name, email, slot_minutes, active) VALUES
    (1, 'Dr', 'Sarah',   'Mitchell', 'sarah.mitchell@subiacofamily.example.com', 15, true),
    (2, 'Dr', 'James',   'Nguyen',   'james.nguyen@subiacofamily.example.com',   15, true),
    (3, 'Ms', 'Chloe',   'Anderson', 'chloe.anderson@subiacofamily.example.com', 15, true),
    (4, 'Dr', 'Priya',   'Sharma',   'priya.sharma@surryhillsmedical.example.com', 15, true),
    (5, 'Dr', 'Michael', 'O''Brien', 'michael.obrien@surryhillsmedical.example.com', 15, true),
    (6, 'Dr', 'Olivia',  'Chen',     'olivia.chen@surryhillsmedical.example.com', 15, true),
    (7, 'Dr', 'Thomas',  'Walker',   'thomas.walker@bjhealth.example.com',       15, true),
    (8, 'Mr', 'Daniel',  'Rossi',    'daniel.rossi@bjhealth.example.com',        60, true),
    (9, 'Dr', 'Helen',   'Brooks',   NULL,                                        15, false);

  INSERT INTO pms.practitioner_specialty (practitioner_id, specialty_id) VALUES
    (1, 1), (1, 2), (2, 1), (3, 3), (4, 1), (5, 1), (6, 1), (7, 1), (8, 4), (9, 1);

  INSERT INTO pms.practitioner_clinic (practitioner_id, clinic_id) VALUES
    (1, 1), (2, 1), (3, 1), (4, 2), (5, 2), (5, 3), (6, 2), (7, 3), (8, 3), (9, 2);

  INSERT INTO pms.room (room_id, clinic_id, name, bookable, slot_minutes) VALUES
    (1, 1, 'Nurse Treatment Room', true,  10),
    (2, 2, 'Procedure Room',       false, 15);

  ---------------------------------------------------------------- appointment types
  INSERT INTO pms.appointment_type (appointment_type_id, name, duration_minutes, specialty_id, clinic_id, online_bookable, colour, medicare_item) VALUES
    (1,  'Standard Consultation',            15,   1,    NULL, true,  '#4f9dde', '23'),
    (2,  'Long Consultation',                30,   1,    NULL, true,  '#2f6fb0', '36'),
    (3,  'Skin Check',                       30,   2,    NULL, true,  '#e0a030', NULL),
    (4,  'Skin Cancer Excision',             45,   NULL, NULL, true,  '#c0392b', NULL),
    (5,  'Women''s Health Check',            30,   NULL, NULL, true,  '#b65fcf', NULL),
    (6,  'Physiotherapy Initial Assessment', 45,   3,    NULL, true,  '#27ae60', NULL),
    (7,  'Physiotherapy Follow-up',          30,   3,    NULL, true,  '#2ecc71', NULL),
    (8,  'Psychology Session',               50,   4,    NULL, true,  '#16a085', '80110'),
    (9,  'Flu Vaccination',                  10,   NULL, NULL, true,  '#f1c40f', NULL),
    (10, 'Wound Dressing',                   20,   NULL, NULL, false, '#95a5a6', NULL),
    (11, 'Telehealth Consultation',          15,   NULL, NULL, true,  '#7f8c8d', '91800'),
    (12, 'Chronic Disease Management Plan',  NULL, 1,    NULL, false, '#8e44ad', '721'),
    (13, 'Driver''s Licence Medical',        30,   1,    NULL, false, '#34495e', NULL),
    (14, 'Travel Vaccination Consult',       30,   1,    2,    true,  '#d35400', NULL);

  -- Skin cancer excisions only by Dr Mitchell, women's health checks only by
  -- Dr Chen; the nurse room takes vaccinations and dressings.
  INSERT INTO pms.appointment_type_practitioner (appointment_type_id, practitioner_id) VALUES (4, 1), (5, 6);
  INSERT INTO pms.appointment_type_room (appointment_type_id, room_id) VALUES (9, 1), (10, 1);

  ---------------------------------------------------------------- rosters (clinic-local times)
  INSERT INTO pms.roster (practitioner_id, clinic_id, weekday, start_time, end_time, effective_from, effective_to)
  SELECT p, c, wd, s::time, e::time, NULL::date, NULL::date
  FROM (VALUES
      (1, 1, ARRAY[1,2,4,5],   '08:30', '12:30'),   -- Dr Mitchell: split shift Mon Tue Thu Fri
      (1, 1, ARRAY[1,2,4,5],   '13:30', '17:00'),
      (2, 1, ARRAY[1,2,3,4,5], '08:00', '16:00'),   -- Dr Nguyen (lunch is a diary block)
      (3, 1, ARRAY[2,3,4],     '09:00', '17:00'),   -- Ms Anderson
      (4, 2, ARRAY[1,2,3,4,5], '08:00', '12:00'),   -- Dr Sharma: split shift
      (4, 2, ARRAY[1,2,3,4,5], '13:00', '17:00'),
      (5, 2, ARRAY[1,2],       '09:00', '17:00'),   -- Dr O'Brien: Surry Hills Mon Tue ...
      (5, 3, ARRAY[4],         '09:00', '17:00'),   -- ... Bondi Junction Thu and Fri morning
      (5, 3, ARRAY[5],         '08:30', '12:30'),
      (6, 2, ARRAY[3,4,5],     '09:00', '17:30'),   -- Dr Chen Wed-Fri and Saturday morning
      (6, 2, ARRAY[6],         '09:00', '13:00'),
      (7, 3, ARRAY[1,2,3,4,5], '08:30', '17:00'),   -- Dr Walker
      (8, 3, ARRAY[1,3],       '09:00', '17:00')    -- Mr Rossi Mon Wed
    ) v(p, c, days, s, e),
    unnest(days) wd;

  -- Dated rosters: Dr Nguyen starts Saturday mornings a week from now; Mr
  -- Rossi stopped working Tuesdays a month ago; Dr Brooks retired.
  INSERT INTO pms.roster (practitioner_id, clinic_id, weekday, start_time, end_time, effective_from, effective_to) VALUES
    (2, 1, 6, '08:30', '12:30', (now() AT TIME ZONE 'Australia/Perth')::date + 7, NULL),
    (8, 3, 2, '09:00', '17:00', NULL, (now() AT TIME ZONE 'Australia/Sydney')::date - 30),
    (9, 2, 1, '09:00', '17:00', NULL, (now() AT TIME ZONE 'Australia/Sydney')::date - 200);

  ---------------------------------------------------------------- leave and closures
  INSERT INTO pms.leave (practitioner_id, clinic_id, leave_type, start_date, end_date, start_time, end_time, note) VALUES
    (6, NULL, 'annual',     (now() AT TIME ZONE 'Australia/Sydney')::date + 3, (now() AT TIME ZONE 'Australia/Sydney')::date + 9, NULL, NULL, 'Family holiday'),
    (7, 3,    'conference', (now() AT TIME ZONE 'Australia/Sydney')::date + 5, (now() AT TIME ZONE 'Australia/Sydney')::date + 5, '13:00', '17:00', 'RACGP education afternoon');

  INSERT INTO pms.clinic_closure (clinic_id, closed_from, closed_to, start_time, end_time, reason) VALUES
    (3, (now() AT TIME ZONE 'Australia/Sydney')::date + 8, (now() AT TIME ZONE 'Australia/Sydney')::date + 8, '13:00', '17:30', 'Staff CPR training');

  ---------------------------------------------------------------- diary blocks
  -- Lunch breaks and a weekly clinical meeting, from two days ago to 13 days ahead.
  INSERT INTO pms.diary_block (clinic_id, practitioner_id, room_id, starts_at, duration_minutes, reason)
  SELECT b.clinic_id, b.practitioner_id, b.room_id,
         ((now() AT TIME ZONE c.time_zone)::date + o + b.at) AT TIME ZONE c.time_zone,
         b.minutes, b.reason
  FROM (VALUES
      (1, 2,    NULL::integer, ARRAY[1,2,3,4,5], '12:00'::time, 30, 'Lunch'),
      (3, 7,    NULL,          ARRAY[1,2,3,4,5], '12:30',       45, 'Lunch'),
      (3, 8,    NULL,          ARRAY[1,3],       '12:30',       60, 'Lunch'),
      (2, 4,    NULL,          ARRAY[3],         '08:00',       60, 'Clinical meeting'),
      (1, NULL, 1,             ARRAY[5],         '15:00',       60, 'Vaccine fridge audit')
    ) b(clinic_id, practitioner_id, room_id, days, at, minutes, reason)
  JOIN pms.clinic c USING (clinic_id)
  CROSS JOIN generate_series(-2, 13) o
  WHERE extract(dow FROM (now() AT TIME ZONE c.time_zone)::date + o) = ANY (b.days)
  ORDER BY 4;

  ---------------------------------------------------------------- patients
  -- 54 generated patients (1-24 around Subiaco, 25-54 around Surry Hills and
  -- Bondi), then six written by hand to make patient matching interesting.
  INSERT INTO pms.patient (patient_id, title, first_name, last_name, dob, gender, mobile_phone, home_phone, email,
                           address_line1, suburb, state, postcode, medicare_number, medicare_irn, medicare_expiry, created_at, updated_at)
  SELECT i,
         CASE WHEN g = 'M' THEN 'Mr' WHEN g = 'F' THEN (ARRAY['Ms','Mrs','Miss'])[1 + pg_temp.seed_pick('t' || i, 3)] END,
         fn, ln, dob, g,
         CASE WHEN i <= 28 THEN (ARRAY[
           '0491 570 006','0491 570 156','0491 570 157','0491 570 158','0491 570 159','0491 570 110',
           '0491 570 313','0491 570 737','0491 571 266','0491 571 491','0491 571 804','0491 572 549',
           '0491 572 665','0491 572 983','0491 573 770','0491 573 087','0491 574 118','0491 574 632',
           '0491 575 254','0491 575 789','0491 576 398','0491 576 801','0491 577 426','0491 577 644',
           '0491 578 957','0491 578 148','0491 578 888','0491 579 212','0491 579 760','0491 579 455'])[i] END,
         CASE WHEN i > 24 OR i % 3 = 0
              THEN CASE WHEN i <= 24 THEN '(08) 5550 ' ELSE '(02) 5550 ' END || lpad((4000 + i * 37)::text, 4, '0') END,
         CASE WHEN i % 7 <> 3
              THEN lower(replace(fn, ' ', '')) || '.' || lower(replace(ln, '''', '')) || CASE WHEN i % 4 = 0 THEN (i % 90)::text ELSE '' END
                   || (ARRAY['@example.com','@example.net','@example.org'])[1 + i % 3] END,
         (1 + pg_temp.seed_pick('no' || i, 240))::text || ' ' || street,
         suburb, st, pc,
         medicare, CASE WHEN medicare IS NOT NULL THEN 1 + pg_temp.seed_pick('irn' || i, 4) END,
         CASE WHEN medicare IS NOT NULL
              THEN (date '2027-01-01' + make_interval(months => pg_temp.seed_pick('exp' || i, 48) + 1) - interval '1 day')::date END,
         created, created + make_interval(days => pg_temp.seed_pick('upd' || i, 400))
  FROM (
    SELECT i,
           CASE WHEN i = 27 THEN 'X' WHEN i % 2 = 0 THEN 'F' ELSE 'M' END AS g,
           CASE WHEN i = 27 THEN 'Alex'
                WHEN i % 2 = 0 THEN (ARRAY['Olivia','Charlotte','Amelia','Isla','Mia','Ava','Grace','Chloe','Emily','Sophie',
                                           'Matilda','Ruby','Zoe','Hannah','Lily','Jessica','Megan','Priya','Mei','Aisha',
                                           'Leah','Sarah','Rebecca','Nicole','Karen','Margaret','Helen'])[1 + (i * 7) % 27]
                ELSE (ARRAY['Jack','Oliver','William','Noah','Thomas','James','Lachlan','Cooper','Ethan','Liam',
                            'Lucas','Harrison','Samuel','Daniel','Matthew','Nathan','Ryan','Connor','Arjun','Wei',
                            'Tariq','Peter','Robert','David','Michael','Graham','Stephen'])[1 + (i * 5) % 27] END AS fn,
           (ARRAY['Smith','Jones','Williams','Brown','Wilson','Taylor','Johnson','White','Martin','Anderson',
                  'Thompson','Nguyen','Thomas','Walker','Harris','Lee','Ryan','Robinson','Kelly','King',
                  'Davis','Wright','Evans','Roberts','Green','Hall','Wood','Jackson','Clarke','Patel',
                  'Khan','Tran','Papadopoulos','Rossi','Murphy','O''Connor','McDonald','Campbell','Stewart','Chen',
                  'Singh','Kowalski','Bianchi'])[1 + (i * 13) % 43] AS ln,
           date '1938-06-01' + pg_temp.seed_pick('dob' || i, 29000) AS dob,
           CASE WHEN i <= 24
                THEN (ARRAY['Hay Street','Bagot Road','Rokeby Road','Nicholson Road','Onslow Road','Cambridge Street',
                            'Oxford Street','Stirling Highway','Salvado Road','Railway Road'])[1 + pg_temp.seed_pick('st' || i, 10)]
                ELSE (ARRAY['Crown Street','Bourke Street','Riley Street','Cleveland Street','Glenmore Road','King Street',
                            'Glebe Point Road','Ebley Street','Bondi Road','Carrington Road','Belmore Road','Arden Street'])[1 + pg_temp.seed_pick('st' || i, 12)]
           END AS street,
           sub.suburb, sub.st, sub.pc,
           CASE WHEN i % 11 = 5 THEN NULL   -- a few without Medicare (visitors)
                ELSE m.base8 || m.check_digit::text || (1 + pg_temp.seed_pick('iss' || i, 5))::text END AS medicare,
           timestamptz '2019-02-01 09:00+08' + make_interval(days => pg_temp.seed_pick('cr' || i, 2000)) AS created
    FROM generate_series(1, 54) i
    CROSS JOIN LATERAL (
      SELECT (ARRAY['Subiaco','Shenton Park','Daglish','Leederville','West Leederville','Nedlands','Wembley','Floreat','Mount Hawthorn','Claremont','Cottesloe','West Perth'])[k] AS suburb,
             'WA' AS st,
             (ARRAY['6008','6008','6008','6007','6007','6009','6014','6014','6016','6010','6011','6005'])[k] AS pc
      FROM (SELECT 1 + pg_temp.seed_pick('sub' || i, 12) AS k) x WHERE i <= 24
      UNION ALL
      SELECT (ARRAY['Surry Hills','Darlinghurst','Redfern','Paddington','Newtown','Glebe','Bondi Junction','Bondi','Waverley','Randwick','Coogee','Bronte','Woollahra','Zetland','Erskineville'])[k],
             'NSW',
             (ARRAY['2010','2010','2016','2021','2042','2037','2022','2026','2024','2031','2034','2024','2025','2017','2043'])[k]
      FROM (SELECT 1 + pg_temp.seed_pick('sub' || i, 15) AS k) x WHERE i > 24
    ) sub
    CROSS JOIN LATERAL (
      -- Medicare: first digit 2-6, check digit = weighted sum of digits 1-8 (weights 1 3 7 9 1 3 7 9) mod 10
      SELECT b.base8,
             (SELECT sum(substr(b.base8, k, 1)::integer * (ARRAY[1,3,7,9,1,3,7,9])[k]) FROM generate_series(1, 8) k) % 10 AS check_digit
      FROM (SELECT (2 + pg_temp.seed_pick('m1' || i, 5))::text || lpad(pg_temp.seed_pick('m2' || i, 10000000)::text, 7, '0') AS base8) b
    ) m
  ) p;

  INSERT INTO pms.patient (patient_id, title, first_name, middle_name, last_name, preferred_name, dob, gender, mobile_phone, home_phone, email,
                           address_line1, address_line2, suburb, state, postcode, medicare_number, medicare_irn, medicare_expiry, created_at, updated_at) VALUES
    -- hyphenated surname, unit address
    (55, 'Ms',  'Siobhan', NULL, 'Fitzgerald-Jones', NULL, '1984-07-19', 'F', NULL, '(02) 5550 7781', 'siobhan.fj@example.net',
     'Unit 4', '27 Riley Street', 'Surry Hills', 'NSW', '2010', '2953173861', 2, '2028-09-30', '2021-03-14 10:20+11', '2025-08-02 15:05+10'),
    -- goes by a short name; mobile typed with +61
    -- (generated patients use the first 28 reserved mobiles; 56 and 60 the last two)
    (56, 'Mrs', 'Joanne', 'Louise', 'McKenzie', 'Jo', '1971-12-02', 'F', '+61 491 579 760', NULL, 'jo.mckenzie@example.com',
     '9 Arden Street', NULL, 'Coogee', 'NSW', '2034', '3159278472', 1, '2027-05-31', '2020-11-30 09:00+11', '2024-02-12 11:45+11'),
    -- twins: same date of birth, address and home phone, different first names
    (57, NULL, 'Liam', NULL, 'Hughes', NULL, '2016-02-11', 'M', NULL, '(02) 5550 6120', 'hughes.family@example.org',
     '41 Glenmore Road', NULL, 'Paddington', 'NSW', '2021', '4072815613', 3, '2029-01-31', '2016-03-01 10:00+11', '2025-01-20 10:00+11'),
    (58, NULL, 'Noah', NULL, 'Hughes', NULL, '2016-02-11', 'M', NULL, '(02) 5550 6120', 'hughes.family@example.org',
     '41 Glenmore Road', NULL, 'Paddington', 'NSW', '2021', '4072815613', 4, '2029-01-31', '2016-03-01 10:05+11', '2025-01-20 10:05+11'),
    -- apostrophe in the surname
    (59, 'Mrs', 'Margaret', 'Anne', 'O''Sullivan', 'Marg', '1949-11-03', 'F', NULL, '(02) 5550 9034', NULL,
     '3/118 Bondi Road', NULL, 'Bondi', 'NSW', '2026', '5281946091', 1, '2026-12-31', '2018-06-21 14:30+10', '2023-10-09 09:12+11'),
    -- two given names
    (60, 'Ms',  'Thi Thu Ha', NULL, 'Tran', 'Ha', '1992-04-27', 'F', '0491 579 455', NULL, 'ha.tran92@example.com',
     '15 Ebley Street', NULL, 'Bondi Junction', 'NSW', '2022', '6195083751', 1, '2030-03-31', '2022-07-04 16:40+10', '2025-05-19 12:00+10');

  ---------------------------------------------------------------- appointments
  -- The diary is cut into cells (per practitioner: the length of their longest
  -- usual visit) inside each rostered shift; a stable md5 pick fills a share of
  -- the cells, fuller near today. Cells on leave, public holidays, closures
  -- or blocks stay empty, so the seed never overlaps itself.
  INSERT INTO pms.appointment (clinic_id, practitioner_id, room_id, patient_id, appointment_type_id, starts_at, duration_minutes,
                               status, notes, source, external_ref, cancelled_at, cancel_reason, created_at, updated_at)
  WITH day AS (
    SELECT c.clinic_id, c.state, c.time_zone, o, (now() AT TIME ZONE c.time_zone)::date + o AS d
    FROM pms.clinic c CROSS JOIN generate_series(-2, 13) o
  ),
  diary(practitioner_id, room_id, cell_minutes, type_ids, fill) AS (VALUES
    (1, NULL::integer, 30, ARRAY[1,1,2,3,3,3],   56),
    (2, NULL,          30, ARRAY[1,1,1,2,11],    52),
    (3, NULL,          45, ARRAY[6,7,7],         45),
    (4, NULL,          30, ARRAY[1,1,2,11],      52),
    (5, NULL,          30, ARRAY[1,1,2],         50),
    (6, NULL,          30, ARRAY[1,2,5,5],       58),
    (7, NULL,          30, ARRAY[1,1,2,11],      46),
    (8, NULL,          60, ARRAY[8],             62),
    (NULL, 1,          20, ARRAY[9,9,9,10],      16)
  ),
  shift AS (
    -- practitioners: their roster; rooms: their clinic's opening hours
    SELECT r.practitioner_id, NULL::integer AS room_id, day.*, r.start_time, r.end_time
    FROM pms.roster r
    JOIN pms.practitioner p ON p.practitioner_id = r.practitioner_id AND p.active
    JOIN day ON day.clinic_id = r.clinic_id AND extract(dow FROM day.d) = r.weekday
    WHERE (r.effective_from IS NULL OR r.effective_from <= day.d)
      AND (r.effective_to IS NULL OR r.effective_to >= day.d)
    UNION ALL
    SELECT NULL, rm.room_id, day.*, h.opens, h.closes
    FROM pms.room rm
    JOIN pms.clinic_hours h ON h.clinic_id = rm.clinic_id
    JOIN day ON day.clinic_id = rm.clinic_id AND extract(dow FROM day.d) = h.weekday
    WHERE rm.bookable AND rm.active
  ),
  cell AS (
    SELECT s.*, dy.type_ids, dy.fill, dy.cell_minutes,
           format('%s|%s|%s|%s|%s', coalesce(s.practitioner_id, 0), coalesce(s.room_id, 0), s.o, s.start_time, k) AS key,
           s.d + s.start_time + make_interval(mins => k * dy.cell_minutes) AS local_start
    FROM shift s
    JOIN diary dy ON dy.practitioner_id IS NOT DISTINCT FROM s.practitioner_id AND dy.room_id IS NOT DISTINCT FROM s.room_id
    CROSS JOIN LATERAL generate_series(0, (extract(epoch FROM s.end_time - s.start_time) / 60)::integer / dy.cell_minutes - 1) k
  ),
  free_cell AS (
    SELECT cell.*,
           cell.local_start AT TIME ZONE cell.time_zone AS starts_at,
           (cell.local_start + make_interval(mins => cell.cell_minutes)) AT TIME ZONE cell.time_zone AS cell_end
    FROM cell
    WHERE NOT EXISTS (SELECT 1 FROM pms.public_holiday ph
                      WHERE ph.holiday_date = cell.d AND (ph.state IS NULL OR ph.state = cell.state))
      AND NOT EXISTS (SELECT 1 FROM pms.leave l
                      WHERE l.practitioner_id = cell.practitioner_id
                        AND (l.clinic_id IS NULL OR l.clinic_id = cell.clinic_id)
                        AND cell.d BETWEEN l.start_date AND l.end_date
                        AND (l.start_time IS NULL OR (cell.local_start::time < l.end_time
                             AND (cell.local_start + make_interval(mins => cell.cell_minutes))::time > l.start_time)))
      AND NOT EXISTS (SELECT 1 FROM pms.clinic_closure cc
                      WHERE cc.clinic_id = cell.clinic_id AND cell.d BETWEEN cc.closed_from AND cc.closed_to
                        AND (cc.start_time IS NULL OR (cell.local_start::time < cc.end_time
                             AND (cell.local_start + make_interval(mins => cell.cell_minutes))::time > cc.start_time)))
      AND NOT EXISTS (SELECT 1 FROM pms.diary_block b
                      WHERE (b.practitioner_id = cell.practitioner_id OR b.room_id = cell.room_id)
                        AND b.starts_at < (cell.local_start + make_interval(mins => cell.cell_minutes)) AT TIME ZONE cell.time_zone
                        AND b.starts_at + make_interval(mins => b.duration_minutes) > cell.local_start AT TIME ZONE cell.time_zone)
      -- fuller near today, emptier two weeks out
      AND pg_temp.seed_pick('fill|' || cell.key, 100) < greatest(cell.fill - 3 * greatest(cell.o, 0), cell.fill / 4)
  ),
  chosen AS (
    SELECT f.*,
           f.type_ids[1 + pg_temp.seed_pick('type|' || f.key, array_length(f.type_ids, 1))] AS appointment_type_id,
           pg_temp.seed_pick('status|' || f.key, 100) AS r_status,
           pg_temp.seed_pick('source|' || f.key, 100) AS r_source
    FROM free_cell f
  )
  SELECT ch.clinic_id, ch.practitioner_id, ch.room_id,
         CASE WHEN ch.clinic_id = 1 THEN 1 + pg_temp.seed_pick('patient|' || ch.key, 24)
              ELSE 25 + pg_temp.seed_pick('patient|' || ch.key, 36) END,
         ch.appointment_type_id, ch.starts_at, t.duration_minutes,
         st.status,
         (ARRAY[NULL, NULL, NULL, NULL, 'Script renewal', 'Review blood results', 'Follow-up from last visit',
                'Needs interpreter (Vietnamese)', 'Referral letter', 'Wheelchair access', NULL, 'Work certificate'])
           [1 + pg_temp.seed_pick('notes|' || ch.key, 12)],
         CASE WHEN ch.r_source < 6 THEN 'healthengine' WHEN ch.r_source < 40 THEN 'phone' ELSE 'reception' END,
         CASE WHEN ch.r_source < 6 THEN (9100000 + pg_temp.seed_pick('he|' || ch.key, 900000))::text END,
         CASE WHEN st.status = 'cancelled' THEN least(now(), ch.starts_at) - make_interval(hours => 2 + pg_temp.seed_pick('ca|' || ch.key, 40)) END,
         CASE WHEN st.status = 'cancelled'
              THEN (ARRAY['Patient unwell', 'Work commitments', 'Rebooked for another day', 'Feeling better'])[1 + pg_temp.seed_pick('cr|' || ch.key, 4)] END,
         ch.starts_at - make_interval(days => 1 + pg_temp.seed_pick('made|' || ch.key, 20)),
         CASE WHEN st.status = 'booked' THEN ch.starts_at - make_interval(days => 1 + pg_temp.seed_pick('made|' || ch.key, 20))
              ELSE least(now(), ch.starts_at + make_interval(mins => t.duration_minutes)) END
  FROM chosen ch
  JOIN pms.appointment_type t ON t.appointment_type_id = ch.appointment_type_id
  CROSS JOIN LATERAL (SELECT CASE
      WHEN ch.starts_at + make_interval(mins => t.duration_minutes) <= now()
        THEN CASE WHEN ch.r_status < 7 THEN 'did_not_attend' WHEN ch.r_status < 13 THEN 'cancelled' ELSE 'completed' END
      WHEN ch.starts_at <= now() THEN 'arrived'
      ELSE CASE WHEN ch.r_status < 9 THEN 'cancelled' ELSE 'booked' END
    END AS status) st
  ORDER BY ch.starts_at, ch.clinic_id, ch.practitioner_id;

  ---------------------------------------------------------------- identity sequences
  -- Rows above carry explicit ids: move each sequence past them.
  PERFORM setval(pg_get_serial_sequence('pms.' || t, col), (xmax_id)::bigint)
  FROM (VALUES ('clinic', 'clinic_id', (SELECT max(clinic_id) FROM pms.clinic)),
               ('specialty', 'specialty_id', (SELECT max(specialty_id) FROM pms.specialty)),
               ('practitioner', 'practitioner_id', (SELECT max(practitioner_id) FROM pms.practitioner)),
               ('room', 'room_id', (SELECT max(room_id) FROM pms.room)),
               ('appointment_type', 'appointment_type_id', (SELECT max(appointment_type_id) FROM pms.appointment_type)),
               ('patient', 'patient_id', (SELECT max(patient_id) FROM pms.patient)::integer)) v(t, col, xmax_id);
END
$seed$;

DROP FUNCTION IF EXISTS pg_temp.seed_pick(text, integer);
