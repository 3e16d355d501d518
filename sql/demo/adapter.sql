-- Adapter for the demo PMS (schema pms, sql/demo/pms_schema.sql).
--
-- The connector never touches pms.* itself: it reads the healthengine.pms_*
-- views, calls the healthengine.pms_* functions, and streams the change events
-- the triggers below write into healthengine.change_event. docs/adapter.md is
-- the contract; this file is its reference implementation. To port the
-- connector to another PMS, rewrite this file and nothing else.
--
-- Run after sql/migrations (it needs healthengine.change_event) and after the
-- PMS schema exists. Idempotent: CREATE OR REPLACE everywhere, so running it
-- again (or after an upgrade) keeps grants and changes nothing else.
--
-- Ids are text and derived from PMS keys, so they stay stable across runs:
--   location     '<clinic_id>'                         e.g. '2'
--   calendar     'prac-<practitioner_id>' | 'room-<room_id>'
--                (one diary: every specialty and clinic of a practitioner shares it)
--   resource     'prac-<id>:spec-<specialty_id>' | 'prac-<id>' (no specialty) | 'room-<id>'
--                (one row per clinic in pms_resource: a practitioner at two
--                clinics is the same resource at both; a booking goes to the
--                clinic whose roster covers its time)
--   appt. type   '<appointment_type_id>' (every resource of the location) or
--                '<appointment_type_id>:<resource_id>' (one resource)
--   patient, appointment: the PMS's bigint key as text.

---------------------------------------------------------------------------
-- Small helpers (adapter-internal: not part of the contract)
---------------------------------------------------------------------------

-- The diary an appointment or block sits in. Inlined by the planner.
CREATE OR REPLACE FUNCTION healthengine.adapter_calendar_id(p_practitioner_id integer, p_room_id integer)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_practitioner_id IS NOT NULL THEN 'prac-' || p_practitioner_id::text
              ELSE 'room-' || p_room_id::text END
$$;

-- An appointment's or block's time in its diary, as the capture helpers take
-- it. One-SELECT SQL functions, so PostgreSQL inlines them (and the capture
-- helper they call) into the trigger's expression: no call is made.
CREATE OR REPLACE FUNCTION healthengine.adapter_ends_at(p_starts_at timestamptz, p_minutes smallint)
RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p_starts_at + p_minutes * interval '1 minute'
$$;

CREATE OR REPLACE FUNCTION healthengine.adapter_ends_after_now(p_starts_at timestamptz, p_minutes smallint)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT healthengine.adapter_ends_at(p_starts_at, p_minutes) > now()
$$;

CREATE OR REPLACE FUNCTION healthengine.adapter_capture_time(
  p_clinic_id integer, p_practitioner_id integer, p_room_id integer, p_starts_at timestamptz, p_minutes smallint)
RETURNS pg_lsn LANGUAGE sql VOLATILE AS $$
  SELECT healthengine.capture_availability(p_clinic_id::text, healthengine.adapter_calendar_id(p_practitioner_id, p_room_id),
           p_starts_at, healthengine.adapter_ends_at(p_starts_at, p_minutes))
$$;

CREATE OR REPLACE FUNCTION healthengine.adapter_capture_moved(
  p_clinic_id integer, p_practitioner_id integer, p_room_id integer,
  p_old_starts_at timestamptz, p_old_minutes smallint, p_new_starts_at timestamptz, p_new_minutes smallint)
RETURNS pg_lsn LANGUAGE sql VOLATILE AS $$
  SELECT healthengine.capture_availability_moved(p_clinic_id::text, healthengine.adapter_calendar_id(p_practitioner_id, p_room_id),
           p_old_starts_at, healthengine.adapter_ends_at(p_old_starts_at, p_old_minutes),
           p_new_starts_at, healthengine.adapter_ends_at(p_new_starts_at, p_new_minutes))
$$;

-- A text id as the PMS's bigint key; NULL when it is not one (so a malformed
-- id is "unknown", never a cast error).
CREATE OR REPLACE FUNCTION healthengine.adapter_bigint_id(p_id text)
RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_id ~ '^[0-9]{1,18}$' THEN p_id::bigint END
$$;

---------------------------------------------------------------------------
-- Read side: the contract views
---------------------------------------------------------------------------

CREATE OR REPLACE VIEW healthengine.pms_location AS
SELECT c.clinic_id::text AS location_id,
       c.name,
       c.time_zone
FROM pms.clinic c
WHERE c.active;

CREATE OR REPLACE VIEW healthengine.pms_location_hours AS
SELECT h.clinic_id::text AS location_id,
       h.weekday,
       h.opens,
       h.closes
FROM pms.clinic_hours h
JOIN pms.clinic c ON c.clinic_id = h.clinic_id AND c.active;

CREATE OR REPLACE VIEW healthengine.pms_public_holiday AS
SELECT c.clinic_id::text AS location_id,
       ph.holiday_date AS local_date,
       ph.name
FROM pms.public_holiday ph
JOIN pms.clinic c ON ph.state IS NULL OR ph.state = c.state
WHERE c.active;

-- Adapter-internal: the diaries that can take online bookings, per clinic.
-- The one place that decides who is bookable: resources, working hours and
-- the booking function all start here.
CREATE OR REPLACE VIEW healthengine.adapter_calendar AS
SELECT pc.clinic_id,
       p.practitioner_id,
       NULL::integer AS room_id,
       'prac-' || p.practitioner_id::text AS calendar_id,
       p.slot_minutes::integer AS slot_minutes
FROM pms.practitioner p
JOIN pms.practitioner_clinic pc ON pc.practitioner_id = p.practitioner_id
JOIN pms.clinic c ON c.clinic_id = pc.clinic_id AND c.active
WHERE p.active AND p.online_bookable
UNION ALL
SELECT r.clinic_id,
       NULL,
       r.room_id,
       'room-' || r.room_id::text,
       r.slot_minutes::integer
FROM pms.room r
JOIN pms.clinic c ON c.clinic_id = r.clinic_id AND c.active
WHERE r.bookable AND r.active;

-- Adapter-internal: resources with their PMS keys, one row per clinic. A
-- practitioner is one resource per specialty (Healthengine lists a
-- practitioner under each specialty), with the same id at every clinic they
-- work at; a practitioner without a specialty is one resource.
CREATE OR REPLACE VIEW healthengine.adapter_resource AS
SELECT b.clinic_id, b.practitioner_id, b.specialty_id, b.room_id,
       b.clinic_id::text AS location_id,
       b.resource_id, b.calendar_id, b.kind, b.title, b.first_name, b.last_name, b.specialty,
       -- names must be unique within a location: two practitioners with the
       -- same name and specialty at one clinic get their calendar appended
       CASE WHEN count(*) OVER (PARTITION BY b.clinic_id, b.base_name) > 1
            THEN b.base_name || ' [' || b.calendar_id || ']'
            ELSE b.base_name END AS resource_name,
       b.slot_minutes
FROM (
  SELECT cal.clinic_id, cal.practitioner_id, ps.specialty_id, NULL::integer AS room_id,
         cal.calendar_id || coalesce(':spec-' || ps.specialty_id::text, '') AS resource_id,
         cal.calendar_id,
         'practitioner' AS kind,
         p.title, p.first_name, p.last_name,
         s.name AS specialty,
         concat_ws(' ', p.title, p.first_name, p.last_name) || coalesce(' (' || s.name || ')', '') AS base_name,
         cal.slot_minutes
  FROM healthengine.adapter_calendar cal
  JOIN pms.practitioner p ON p.practitioner_id = cal.practitioner_id
  LEFT JOIN pms.practitioner_specialty ps ON ps.practitioner_id = p.practitioner_id
  LEFT JOIN pms.specialty s ON s.specialty_id = ps.specialty_id
  UNION ALL
  SELECT cal.clinic_id, NULL, NULL, cal.room_id,
         cal.calendar_id,
         cal.calendar_id,
         'room',
         NULL, NULL, NULL, NULL,
         r.name,
         cal.slot_minutes
  FROM healthengine.adapter_calendar cal
  JOIN pms.room r ON r.room_id = cal.room_id
) b;

CREATE OR REPLACE VIEW healthengine.pms_resource AS
SELECT r.resource_id, r.location_id, r.calendar_id, r.resource_name, r.kind,
       r.title, r.first_name, r.last_name, r.specialty, r.slot_minutes
FROM healthengine.adapter_resource r;

-- Adapter-internal: online-bookable appointment types per location, with PMS keys.
-- Which resource may take a type (PMS rules):
--   * a room takes only the types listed for it in appointment_type_room;
--   * a practitioner takes a type when the type's specialty (if any) is one of
--     the resource's, and, if the type lists practitioners, they are listed; a
--     type that lists only rooms is not for practitioners.
-- A type offered by every resource of a location, with no practitioner/room
-- list, is one row with resource_id NULL; otherwise one row per resource
-- (id '<type>:<resource>'), so a restricted type never leaks onto others.
CREATE OR REPLACE VIEW healthengine.adapter_appointment_type AS
WITH type_rule AS (
  SELECT t.appointment_type_id, t.name, t.duration_minutes, t.specialty_id, t.clinic_id,
         EXISTS (SELECT 1 FROM pms.appointment_type_practitioner x WHERE x.appointment_type_id = t.appointment_type_id) AS lists_practitioners,
         EXISTS (SELECT 1 FROM pms.appointment_type_room x WHERE x.appointment_type_id = t.appointment_type_id) AS lists_rooms
  FROM pms.appointment_type t
  WHERE t.active AND t.online_bookable
),
offer AS (
  SELECT t.appointment_type_id, t.name, t.duration_minutes,
         (t.lists_practitioners OR t.lists_rooms) AS restricted,
         r.clinic_id, r.location_id, r.resource_id, r.resource_name, r.practitioner_id, r.room_id
  FROM type_rule t
  JOIN healthengine.adapter_resource r ON t.clinic_id IS NULL OR t.clinic_id = r.clinic_id
  WHERE CASE
          WHEN r.room_id IS NOT NULL THEN
            EXISTS (SELECT 1 FROM pms.appointment_type_room x
                    WHERE x.appointment_type_id = t.appointment_type_id AND x.room_id = r.room_id)
          ELSE
            (t.specialty_id IS NULL OR t.specialty_id = r.specialty_id)
            AND CASE WHEN t.lists_practitioners
                     THEN EXISTS (SELECT 1 FROM pms.appointment_type_practitioner x
                                  WHERE x.appointment_type_id = t.appointment_type_id AND x.practitioner_id = r.practitioner_id)
                     ELSE NOT t.lists_rooms END
        END
),
coverage AS (
  SELECT o.*,
         count(*) OVER (PARTITION BY o.appointment_type_id, o.clinic_id) AS offering,
         (SELECT count(*) FROM healthengine.adapter_resource a WHERE a.clinic_id = o.clinic_id) AS resources
  FROM offer o
),
expanded AS (
  SELECT DISTINCT ON (c.clinic_id, c.appointment_type_id)
         c.clinic_id, c.location_id, c.appointment_type_id,
         c.appointment_type_id::text AS he_type_id,
         NULL::text AS resource_id, NULL::integer AS practitioner_id, NULL::integer AS room_id,
         c.name, NULL::text AS resource_name, c.duration_minutes
  FROM coverage c
  WHERE NOT c.restricted AND c.offering = c.resources
  UNION ALL
  SELECT c.clinic_id, c.location_id, c.appointment_type_id,
         c.appointment_type_id::text || ':' || c.resource_id,
         c.resource_id, c.practitioner_id, c.room_id,
         c.name, c.resource_name, c.duration_minutes
  FROM coverage c
  WHERE c.restricted OR c.offering < c.resources
),
named AS (
  -- names must be unique within a location: a type expanded to several
  -- resources names the resource
  SELECT e.*,
         CASE WHEN e.resource_id IS NOT NULL AND count(*) OVER (PARTITION BY e.clinic_id, e.name) > 1
              THEN e.name || ' - ' || e.resource_name
              ELSE e.name END AS he_name
  FROM expanded e
)
SELECT n.clinic_id, n.location_id, n.appointment_type_id AS pms_appointment_type_id,
       n.he_type_id AS appointment_type_id, n.resource_id, n.practitioner_id, n.room_id,
       -- two PMS types with one name (rare): tell them apart by id
       CASE WHEN count(*) OVER (PARTITION BY n.clinic_id, n.he_name) > 1
            THEN n.he_name || ' [' || n.appointment_type_id::text || ']'
            ELSE n.he_name END AS name,
       n.duration_minutes::integer AS length_minutes
FROM named n;

CREATE OR REPLACE VIEW healthengine.pms_appointment_type AS
SELECT t.appointment_type_id, t.location_id, t.resource_id, t.name, t.length_minutes
FROM healthengine.adapter_appointment_type t;

-- Working hours: practitioners from their roster; a bookable room is open
-- whenever its clinic is.
CREATE OR REPLACE VIEW healthengine.pms_working_hours AS
SELECT r.clinic_id::text AS location_id,
       cal.calendar_id,
       r.weekday,
       r.start_time,
       r.end_time,
       r.effective_from,
       r.effective_to
FROM pms.roster r
JOIN healthengine.adapter_calendar cal ON cal.practitioner_id = r.practitioner_id AND cal.clinic_id = r.clinic_id
UNION ALL
SELECT h.clinic_id::text,
       cal.calendar_id,
       h.weekday,
       h.opens,
       h.closes,
       NULL::date,
       NULL::date
FROM pms.clinic_hours h
JOIN healthengine.adapter_calendar cal ON cal.room_id IS NOT NULL AND cal.clinic_id = h.clinic_id;

-- Exceptions to working hours, in location-local dates (local_to inclusive);
-- start_time/end_time NULL = whole days, otherwise that part of each day.
CREATE OR REPLACE VIEW healthengine.pms_calendar_exception AS
SELECT pc.clinic_id::text AS location_id,
       'prac-' || l.practitioner_id::text AS calendar_id,
       l.start_date AS local_from,
       l.end_date AS local_to,
       l.start_time,
       l.end_time,
       'leave' AS kind
FROM pms.leave l
JOIN pms.practitioner_clinic pc
  ON pc.practitioner_id = l.practitioner_id AND (l.clinic_id IS NULL OR l.clinic_id = pc.clinic_id)
UNION ALL
SELECT c.clinic_id::text, NULL, ph.holiday_date, ph.holiday_date, NULL, NULL, 'public_holiday'
FROM pms.public_holiday ph
JOIN pms.clinic c ON ph.state IS NULL OR ph.state = c.state
UNION ALL
SELECT cc.clinic_id::text, NULL, cc.closed_from, cc.closed_to, cc.start_time, cc.end_time, 'block'
FROM pms.clinic_closure cc;

-- Busy time: appointments that hold their slot (everything but cancelled: a
-- did-not-attend still used the practitioner's time) and diary blocks. Busy
-- time belongs to the calendar, whatever the clinic: location_id is where the
-- appointment is, and readers select by calendar_id alone.
-- Each branch starts from the practitioner or room, so a filter on
-- calendar_id picks one of those few rows and reaches the appointments through
-- the (practitioner_id, starts_at) / (room_id, starts_at) indexes instead of
-- computing the calendar of every appointment ever made. No appointment or
-- block is longer than a day, so readers may bound starts_at from below by
-- their window start minus one day.
CREATE OR REPLACE VIEW healthengine.pms_busy AS
SELECT a.clinic_id::text AS location_id,
       'prac-' || p.practitioner_id::text AS calendar_id,
       a.starts_at,
       a.starts_at + a.duration_minutes * interval '1 minute' AS ends_at,
       a.appointment_id::text AS appointment_id
FROM pms.practitioner p
JOIN pms.appointment a ON a.practitioner_id = p.practitioner_id
WHERE a.status <> 'cancelled'
UNION ALL
SELECT a.clinic_id::text, 'room-' || r.room_id::text, a.starts_at,
       a.starts_at + a.duration_minutes * interval '1 minute', a.appointment_id::text
FROM pms.room r
JOIN pms.appointment a ON a.room_id = r.room_id
WHERE a.status <> 'cancelled'
UNION ALL
SELECT b.clinic_id::text, 'prac-' || p.practitioner_id::text, b.starts_at,
       b.starts_at + b.duration_minutes * interval '1 minute', NULL::text
FROM pms.practitioner p
JOIN pms.diary_block b ON b.practitioner_id = p.practitioner_id
UNION ALL
SELECT b.clinic_id::text, 'room-' || r.room_id::text, b.starts_at,
       b.starts_at + b.duration_minutes * interval '1 minute', NULL::text
FROM pms.room r
JOIN pms.diary_block b ON b.room_id = r.room_id;

CREATE OR REPLACE VIEW healthengine.pms_patient AS
SELECT p.patient_id::text AS patient_id,
       p.first_name,
       p.last_name,
       p.dob,
       coalesce(p.mobile_phone, p.home_phone) AS phone,
       p.email,
       nullif(concat_ws(', ', p.address_line1, p.address_line2), '') AS address,
       p.suburb,
       p.state,
       p.postcode,
       CASE p.gender WHEN 'M' THEN 'Male' WHEN 'F' THEN 'Female' WHEN 'X' THEN 'Other' END AS gender,
       p.medicare_number,
       p.medicare_irn::text AS medicare_irn,
       p.updated_at
FROM pms.patient p;

---------------------------------------------------------------------------
-- Write side: the contract functions
--
-- SQLSTATEs (class HE, so the connector branches on codes, never on text):
--   HE001 slot taken            the interval overlaps busy time of the calendar
--   HE002 unknown resource      no such bookable resource
--   HE003 unknown appt. type    not an online type of that resource/location
--   HE004 unknown patient
--   HE005 unknown appointment
--   HE006 outside working hours not inside the calendar's working hours of
--                               that local date, or on leave / a public
--                               holiday / a closure
-- Bad arguments (no length, no patient name) raise 22023.
--
-- SECURITY DEFINER: the connector's role needs EXECUTE on these and SELECT on
-- the views, never rights on pms.* (see docs/adapter.md, "Privileges").
---------------------------------------------------------------------------

-- p: keys as the columns of healthengine.pms_patient (first_name, last_name,
-- dob 'YYYY-MM-DD', phone, email, address, suburb, state, postcode, gender
-- 'Male'|'Female'|'Other', medicare_number, medicare_irn). Values the PMS
-- would refuse (a malformed Medicare number, an unknown state) are left out
-- rather than failing the booking: the practice fixes them at the desk.
CREATE OR REPLACE FUNCTION healthengine.pms_create_patient(p jsonb)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_first    text := nullif(btrim(p ->> 'first_name'), '');
  v_last     text := nullif(btrim(p ->> 'last_name'), '');
  v_phone    text := nullif(btrim(p ->> 'phone'), '');
  v_digits   text := regexp_replace(coalesce(p ->> 'phone', ''), '[^0-9]', '', 'g');
  v_mobile   boolean;
  v_medicare text := regexp_replace(coalesce(p ->> 'medicare_number', ''), '[^0-9]', '', 'g');
  v_irn      text := btrim(coalesce(p ->> 'medicare_irn', ''));
  v_state    text := upper(btrim(coalesce(p ->> 'state', '')));
  v_postcode text := btrim(coalesce(p ->> 'postcode', ''));
  v_id       bigint;
BEGIN
  IF v_first IS NULL OR v_last IS NULL THEN
    RAISE EXCEPTION 'a patient needs first_name and last_name' USING ERRCODE = '22023';
  END IF;
  -- Australian mobiles: 04xx xxx xxx or +61 4xx xxx xxx
  v_mobile := v_digits ~ '^(04|614)[0-9]{8}$';
  -- an 11-digit Medicare number carries the IRN as its last digit
  IF v_medicare ~ '^[2-6][0-9]{10}$' THEN
    IF v_irn = '' THEN v_irn := right(v_medicare, 1); END IF;
    v_medicare := left(v_medicare, 10);
  END IF;

  INSERT INTO pms.patient (first_name, last_name, dob, gender, mobile_phone, home_phone, email,
                           address_line1, suburb, state, postcode, medicare_number, medicare_irn)
  VALUES (v_first, v_last,
          nullif(p ->> 'dob', '')::date,
          CASE p ->> 'gender' WHEN 'Male' THEN 'M' WHEN 'Female' THEN 'F' WHEN 'Other' THEN 'X' END,
          CASE WHEN v_mobile THEN v_phone END,
          CASE WHEN NOT v_mobile THEN v_phone END,
          nullif(btrim(p ->> 'email'), ''),
          nullif(btrim(p ->> 'address'), ''),
          nullif(btrim(p ->> 'suburb'), ''),
          CASE WHEN v_state IN ('ACT','NSW','NT','QLD','SA','TAS','VIC','WA') THEN v_state END,
          CASE WHEN v_postcode ~ '^[0-9]{4}$' THEN v_postcode END,
          CASE WHEN v_medicare ~ '^[2-6][0-9]{9}$' THEN v_medicare END,
          CASE WHEN v_medicare ~ '^[2-6][0-9]{9}$' AND v_irn ~ '^[1-9]$' THEN v_irn::smallint END)
  RETURNING patient_id INTO v_id;
  RETURN v_id::text;
END
$$;

-- Adapter-internal: does [p_starts_at, p_ends_at) lie inside the calendar's
-- working hours at the location on that local date, outside any exception?
-- Computed from the contract views, so what the connector publishes as
-- available is exactly what pms_insert_booking accepts. Adjoining roster rows
-- merge (range_agg).
CREATE OR REPLACE FUNCTION healthengine.adapter_open_for(p_location_id text, p_calendar_id text,
                                                         p_starts_at timestamptz, p_ends_at timestamptz)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
  WITH t AS (
    SELECT p_starts_at AT TIME ZONE l.time_zone AS local_start,
           p_ends_at AT TIME ZONE l.time_zone AS local_end,
           (p_starts_at AT TIME ZONE l.time_zone)::date AS d
    FROM healthengine.pms_location l
    WHERE l.location_id = p_location_id
  )
  SELECT coalesce(bool_or(
           (coalesce((SELECT range_agg(tsrange(t.d + w.start_time, t.d + w.end_time))
                      FROM healthengine.pms_working_hours w
                      WHERE w.location_id = p_location_id AND w.calendar_id = p_calendar_id
                        AND w.weekday = extract(dow FROM t.d)
                        AND (w.effective_from IS NULL OR w.effective_from <= t.d)
                        AND (w.effective_to IS NULL OR w.effective_to >= t.d)), '{}'::tsmultirange)
            - coalesce((SELECT range_agg(CASE WHEN e.start_time IS NULL
                                              THEN tsrange(t.d::timestamp, (t.d + 1)::timestamp)
                                              ELSE tsrange(t.d + e.start_time, t.d + e.end_time) END)
                        FROM healthengine.pms_calendar_exception e
                        WHERE e.location_id = p_location_id
                          AND (e.calendar_id IS NULL OR e.calendar_id = p_calendar_id)
                          AND t.d BETWEEN e.local_from AND e.local_to), '{}'::tsmultirange))
           @> tsrange(t.local_start, t.local_end)), false)
  FROM t
$$;

-- Books an online appointment: one PMS appointment (source 'healthengine',
-- external_ref = the Healthengine booking id) at the clinic whose roster
-- covers the time (a practitioner working at two clinics is one resource).
-- Serialised per calendar by a row lock on the practitioner (or room), so two
-- concurrent bookings of one slot cannot both pass the busy check. Idempotent
-- per booking id: calling it again for a booking that already has a live
-- appointment returns that appointment's id instead of booking twice.
-- p_length_minutes NULL = the type's length. Needs READ COMMITTED (each
-- statement must see bookings that committed while it waited for the lock) or
-- SERIALIZABLE.
CREATE OR REPLACE FUNCTION healthengine.pms_insert_booking(
  p_resource_id          text,
  p_appointment_type_id  text,
  p_patient_id           text,
  p_starts_at            timestamptz,
  p_length_minutes       integer,
  p_notes                text,
  p_he_booking_id        bigint)
RETURNS text[]
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_practitioner_id  integer;
  v_room_id          integer;
  v_calendar_id      text;
  v_type_length      integer;
  v_patient_id       bigint := healthengine.adapter_bigint_id(p_patient_id);
  v_length           integer;
  v_ends_at          timestamptz;
  v_clinic_id        integer;
  v_pms_type_id      integer;
  v_existing         text[];
  v_taken            boolean;
  v_id               bigint;
BEGIN
  IF current_setting('transaction_isolation') = 'repeatable read' THEN
    RAISE EXCEPTION 'pms_insert_booking needs READ COMMITTED or SERIALIZABLE isolation'
      USING ERRCODE = '25000',
            HINT = 'under REPEATABLE READ the busy check cannot see a booking that committed while waiting for the calendar lock';
  END IF;

  SELECT r.practitioner_id, r.room_id, r.calendar_id
  INTO v_practitioner_id, v_room_id, v_calendar_id
  FROM healthengine.adapter_resource r
  WHERE r.resource_id = p_resource_id
  LIMIT 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown resource %', p_resource_id USING ERRCODE = 'HE002';
  END IF;

  -- the type must be offered to this resource at one of its clinics
  SELECT max(t.length_minutes) INTO v_type_length
  FROM healthengine.adapter_resource r
  JOIN healthengine.adapter_appointment_type t
    ON t.clinic_id = r.clinic_id AND (t.resource_id IS NULL OR t.resource_id = r.resource_id)
  WHERE r.resource_id = p_resource_id AND t.appointment_type_id = p_appointment_type_id
  HAVING count(*) > 0;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown appointment type % for resource %', p_appointment_type_id, p_resource_id
      USING ERRCODE = 'HE003';
  END IF;

  IF v_patient_id IS NULL OR NOT EXISTS (SELECT 1 FROM pms.patient WHERE patient_id = v_patient_id) THEN
    RAISE EXCEPTION 'unknown patient %', p_patient_id USING ERRCODE = 'HE004';
  END IF;

  v_length := coalesce(p_length_minutes, v_type_length);
  IF v_length IS NULL OR v_length NOT BETWEEN 1 AND 1440 THEN
    RAISE EXCEPTION 'appointment length % minutes is not bookable (type % has %)',
      p_length_minutes, p_appointment_type_id, v_type_length USING ERRCODE = '22023';
  END IF;
  IF p_starts_at IS NULL THEN
    RAISE EXCEPTION 'p_starts_at is required' USING ERRCODE = '22023';
  END IF;
  v_ends_at := p_starts_at + v_length * interval '1 minute';

  -- The calendar lock: every booking of this diary queues here until the
  -- previous one commits. NO KEY UPDATE does not block the PMS's own inserts
  -- (their foreign-key checks take KEY SHARE).
  IF v_practitioner_id IS NOT NULL THEN
    PERFORM 1 FROM pms.practitioner WHERE practitioner_id = v_practitioner_id FOR NO KEY UPDATE;
  ELSE
    PERFORM 1 FROM pms.room WHERE room_id = v_room_id FOR NO KEY UPDATE;
  END IF;

  -- A retry of a booking that is already in the diary: same answer as before.
  IF p_he_booking_id IS NOT NULL THEN
    SELECT array_agg(a.appointment_id::text ORDER BY a.appointment_id) INTO v_existing
    FROM pms.appointment a
    WHERE a.external_ref = p_he_booking_id::text AND a.source = 'healthengine' AND a.status <> 'cancelled';
    IF v_existing IS NOT NULL THEN
      RETURN v_existing;
    END IF;
  END IF;

  -- The clinic: the one (lowest id, should rosters overlap) where the resource
  -- works the whole interval and offers the type.
  SELECT r.clinic_id, t.pms_appointment_type_id INTO v_clinic_id, v_pms_type_id
  FROM healthengine.adapter_resource r
  JOIN healthengine.adapter_appointment_type t
    ON t.clinic_id = r.clinic_id AND (t.resource_id IS NULL OR t.resource_id = r.resource_id)
  WHERE r.resource_id = p_resource_id AND t.appointment_type_id = p_appointment_type_id
    AND healthengine.adapter_open_for(r.location_id, r.calendar_id, p_starts_at, v_ends_at)
  ORDER BY r.clinic_id
  LIMIT 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'resource % does not work % - %', p_resource_id, p_starts_at, v_ends_at
      USING ERRCODE = 'HE006';
  END IF;

  -- Busy time of the calendar, at any clinic. No appointment or block is
  -- longer than a day (CHECK on duration_minutes): that bounds the index scan.
  IF v_practitioner_id IS NOT NULL THEN
    v_taken := EXISTS (
        SELECT 1 FROM pms.appointment a
        WHERE a.practitioner_id = v_practitioner_id
          AND a.starts_at < v_ends_at AND a.starts_at > p_starts_at - interval '1 day'
          AND a.starts_at + a.duration_minutes * interval '1 minute' > p_starts_at
          AND a.status <> 'cancelled')
      OR EXISTS (
        SELECT 1 FROM pms.diary_block b
        WHERE b.practitioner_id = v_practitioner_id
          AND b.starts_at < v_ends_at AND b.starts_at > p_starts_at - interval '1 day'
          AND b.starts_at + b.duration_minutes * interval '1 minute' > p_starts_at);
  ELSE
    v_taken := EXISTS (
        SELECT 1 FROM pms.appointment a
        WHERE a.room_id = v_room_id
          AND a.starts_at < v_ends_at AND a.starts_at > p_starts_at - interval '1 day'
          AND a.starts_at + a.duration_minutes * interval '1 minute' > p_starts_at
          AND a.status <> 'cancelled')
      OR EXISTS (
        SELECT 1 FROM pms.diary_block b
        WHERE b.room_id = v_room_id
          AND b.starts_at < v_ends_at AND b.starts_at > p_starts_at - interval '1 day'
          AND b.starts_at + b.duration_minutes * interval '1 minute' > p_starts_at);
  END IF;
  IF v_taken THEN
    RAISE EXCEPTION 'slot taken: % at %', v_calendar_id, p_starts_at USING ERRCODE = 'HE001';
  END IF;

  INSERT INTO pms.appointment (clinic_id, practitioner_id, room_id, patient_id, appointment_type_id,
                               starts_at, duration_minutes, status, notes, source, external_ref)
  VALUES (v_clinic_id, v_practitioner_id, v_room_id, v_patient_id, v_pms_type_id,
          p_starts_at, v_length, 'booked', p_notes, 'healthengine', p_he_booking_id::text)
  RETURNING appointment_id INTO v_id;
  RETURN ARRAY[v_id::text];
END
$$;

-- Cancels a booked or arrived appointment. Already cancelled, completed or
-- did-not-attend: nothing changes (read pms_appointment_state to see why).
CREATE OR REPLACE FUNCTION healthengine.pms_cancel_appointment(p_appointment_id text, p_reason text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_id bigint := healthengine.adapter_bigint_id(p_appointment_id);
BEGIN
  UPDATE pms.appointment
     SET status = 'cancelled', cancelled_at = now(), cancel_reason = p_reason, updated_at = now()
   WHERE appointment_id = v_id AND status IN ('booked', 'arrived');
  IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM pms.appointment WHERE appointment_id = v_id) THEN
    RAISE EXCEPTION 'unknown appointment %', p_appointment_id USING ERRCODE = 'HE005';
  END IF;
END
$$;

-- Marks a booked or arrived appointment as did-not-attend (the desk's action;
-- used by tests and the demo). Other states: nothing changes.
CREATE OR REPLACE FUNCTION healthengine.pms_mark_did_not_attend(p_appointment_id text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_id bigint := healthengine.adapter_bigint_id(p_appointment_id);
BEGIN
  UPDATE pms.appointment
     SET status = 'did_not_attend', updated_at = now()
   WHERE appointment_id = v_id AND status IN ('booked', 'arrived');
  IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM pms.appointment WHERE appointment_id = v_id) THEN
    RAISE EXCEPTION 'unknown appointment %', p_appointment_id USING ERRCODE = 'HE005';
  END IF;
END
$$;

-- 'booked' | 'cancelled' | 'did_not_attend' | 'arrived' | 'completed'; NULL when unknown.
CREATE OR REPLACE FUNCTION healthengine.pms_appointment_state(p_appointment_id text)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT a.status FROM pms.appointment a
  WHERE a.appointment_id = healthengine.adapter_bigint_id(p_appointment_id)
$$;

-- These write the PMS: only roles the DBA names may call them.
REVOKE ALL ON FUNCTION healthengine.pms_create_patient(jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION healthengine.pms_insert_booking(text, text, text, timestamptz, integer, text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION healthengine.pms_cancel_appointment(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION healthengine.pms_mark_did_not_attend(text) FROM PUBLIC;

---------------------------------------------------------------------------
-- Change capture
--
-- Two designs, each where it is cheapest:
--
-- * The hot tables (appointment, diary_block: what reception edits all day,
--   one row per transaction) have row-level AFTER triggers that call
--   healthengine.capture_availability[_moved] / capture_appointment_state. Those
--   helpers are the connector's, not the adapter's: in replication mode they
--   emit one transactional WAL message per change (no table write), in
--   outbox-poll mode they insert the outbox row (sql/capture/). The trigger
--   bodies use only PL/pgSQL "simple expressions" (IF, assignment; no
--   SELECT/PERFORM/INSERT), which skip the executor and SPI, and the helpers
--   inline into them: a single-row UPDATE pays ~15-25 us of backend CPU instead
--   of the ~70 us a statement-level trigger reading its transition tables
--   and inserting an outbox row costs (docs/benchmarks.md). A bulk statement
--   emits one message per changed row; the connector folds them into keys.
-- * Every other table (rosters, leave, configuration: edited rarely, often
--   in bulk) has statement-level triggers with transition tables that insert
--   each distinct key once per statement into healthengine.change_event, so
--   a 10,000-row roster rewrite costs one INSERT ... SELECT of a few rows.
--   UPDATE compares old and new rows and emits only when a column the
--   connector reads changed, for the old AND the new key.
--
-- Rules that keep the triggers cheap and safe (docs/adapter.md has numbers):
--   * Plans of a statement trigger function are cached from its first call,
--     when a transition table may have held one row. A join of old and new
--     rows planned for one row can be a nested loop, and the same plan then
--     runs a 20,000-row UPDATE in O(n^2). So the statement-level functions
--     join with FULL JOIN ... WHERE (old cols) IS DISTINCT FROM (new cols) (a
--     FULL JOIN keeps rows whose key changed) and run with SET
--     enable_nestloop = off, because a WHERE that is strict on both sides
--     turns a FULL JOIN back into an inner join.
--   * No SECURITY DEFINER and no SET clause on the hot tables' functions: a
--     function-level SET costs ~10 us per call. Every name is
--     schema-qualified; the PMS's roles need INSERT on
--     healthengine.change_event and EXECUTE on the capture helpers
--     (docs/adapter.md, "Privileges").
--   * origin is never set here: capture_appointment_state and the outbox's
--     column default stamp it from the GUC healthengine.origin, so the
--     connector's own writes are recognised.
---------------------------------------------------------------------------

-- Written for the cost of a single-row transaction, where PL/pgSQL compiles
-- each expression it reaches afresh (about 2,000 instructions per function
-- or operator in it): the common edit, an appointment moved or resized in
-- its diary, reaches three small conditions and one helper call; rarer
-- tests sit behind a cheap one, so they are compiled only when reached.
-- (docs/decisions.md, "A trigger is paid for by what it compiles".)

-- pms.appointment (row-level) -> 'availability' for (clinic, calendar) with
-- the instant ranges of time taken or freed. A time change in the same diary
-- reports the range left and the range taken in one message (the connector
-- dirties the local dates of both and ignores dates before today); an
-- insert, a delete, a move to another diary, a cancellation or a
-- reinstatement reports each side that holds time, skipping ranges that
-- ended before now() (a purge of history writes nothing). A Healthengine
-- appointment (source 'healthengine', the ones pms_insert_booking writes)
-- becoming cancelled or did-not-attend, or deleted while booked/arrived ->
-- 'appointment_state': the connector tells Healthengine. Other
-- appointments' states are none of Healthengine's business. A notes or
-- arrived/completed update emits nothing.
CREATE OR REPLACE FUNCTION healthengine.adapter_appointment_changed()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  lsn pg_lsn;  -- what the helpers return; unused
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.clinic_id = NEW.clinic_id AND OLD.practitioner_id IS NOT DISTINCT FROM NEW.practitioner_id
       AND OLD.room_id IS NOT DISTINCT FROM NEW.room_id AND (OLD.status = 'cancelled') = (NEW.status = 'cancelled') THEN
      -- same diary, holding time or not as before: only a new time matters
      IF (OLD.starts_at <> NEW.starts_at OR OLD.duration_minutes <> NEW.duration_minutes) AND NEW.status <> 'cancelled' THEN
        lsn := healthengine.adapter_capture_moved(NEW.clinic_id, NEW.practitioner_id, NEW.room_id,
                 OLD.starts_at, OLD.duration_minutes, NEW.starts_at, NEW.duration_minutes);
      END IF;
    ELSE
      -- another diary, cancelled or reinstated: each side that holds time
      IF OLD.status <> 'cancelled' AND healthengine.adapter_ends_after_now(OLD.starts_at, OLD.duration_minutes) THEN
        lsn := healthengine.adapter_capture_time(OLD.clinic_id, OLD.practitioner_id, OLD.room_id, OLD.starts_at, OLD.duration_minutes);
      END IF;
      IF NEW.status <> 'cancelled' AND healthengine.adapter_ends_after_now(NEW.starts_at, NEW.duration_minutes) THEN
        lsn := healthengine.adapter_capture_time(NEW.clinic_id, NEW.practitioner_id, NEW.room_id, NEW.starts_at, NEW.duration_minutes);
      END IF;
    END IF;
    IF OLD.status <> NEW.status THEN
      IF NEW.source = 'healthengine' AND NEW.status IN ('cancelled', 'did_not_attend') THEN
        lsn := healthengine.capture_appointment_state(NEW.appointment_id::text, NEW.status);
      END IF;
    END IF;
  ELSIF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'cancelled' AND healthengine.adapter_ends_after_now(NEW.starts_at, NEW.duration_minutes) THEN
      lsn := healthengine.adapter_capture_time(NEW.clinic_id, NEW.practitioner_id, NEW.room_id, NEW.starts_at, NEW.duration_minutes);
    END IF;
  ELSE
    IF OLD.status <> 'cancelled' AND healthengine.adapter_ends_after_now(OLD.starts_at, OLD.duration_minutes) THEN
      lsn := healthengine.adapter_capture_time(OLD.clinic_id, OLD.practitioner_id, OLD.room_id, OLD.starts_at, OLD.duration_minutes);
    END IF;
    IF OLD.source = 'healthengine' AND OLD.status IN ('booked', 'arrived') THEN
      -- deleting a live appointment is how some desks cancel
      lsn := healthengine.capture_appointment_state(OLD.appointment_id::text, 'cancelled');
    END IF;
  END IF;
  RETURN NULL;
END
$$;

-- pms.diary_block (row-level) -> 'availability', as for appointments (a
-- block always holds time).
CREATE OR REPLACE FUNCTION healthengine.adapter_diary_block_changed()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  lsn pg_lsn;  -- what the helpers return; unused
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.clinic_id = NEW.clinic_id AND OLD.practitioner_id IS NOT DISTINCT FROM NEW.practitioner_id
       AND OLD.room_id IS NOT DISTINCT FROM NEW.room_id THEN
      IF OLD.starts_at <> NEW.starts_at OR OLD.duration_minutes <> NEW.duration_minutes THEN
        lsn := healthengine.adapter_capture_moved(NEW.clinic_id, NEW.practitioner_id, NEW.room_id,
                 OLD.starts_at, OLD.duration_minutes, NEW.starts_at, NEW.duration_minutes);
      END IF;
      RETURN NULL;
    END IF;
  END IF;
  IF TG_OP <> 'INSERT' AND healthengine.adapter_ends_after_now(OLD.starts_at, OLD.duration_minutes) THEN
    lsn := healthengine.adapter_capture_time(OLD.clinic_id, OLD.practitioner_id, OLD.room_id, OLD.starts_at, OLD.duration_minutes);
  END IF;
  IF TG_OP <> 'DELETE' AND healthengine.adapter_ends_after_now(NEW.starts_at, NEW.duration_minutes) THEN
    lsn := healthengine.adapter_capture_time(NEW.clinic_id, NEW.practitioner_id, NEW.room_id, NEW.starts_at, NEW.duration_minutes);
  END IF;
  RETURN NULL;
END
$$;

-- Earlier versions of the two functions above called this; dropped only
-- once they no longer do (a DBA may run this file statement by statement).
DROP FUNCTION IF EXISTS healthengine.adapter_change_day(timestamptz);

-- pms.roster -> availability of that calendar on that weekday (old and new).
CREATE OR REPLACE FUNCTION healthengine.adapter_roster_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO healthengine.change_event (kind, location_id, calendar_id, weekday)
    SELECT DISTINCT 'availability', n.clinic_id::text, 'prac-' || n.practitioner_id::text, n.weekday
    FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO healthengine.change_event (kind, location_id, calendar_id, weekday)
    SELECT DISTINCT 'availability', o.clinic_id::text, 'prac-' || o.practitioner_id::text, o.weekday
    FROM old_rows o;
  ELSE
    INSERT INTO healthengine.change_event (kind, location_id, calendar_id, weekday)
    SELECT DISTINCT 'availability', x.clinic_id::text, 'prac-' || x.practitioner_id::text, x.weekday
    FROM old_rows o
    FULL JOIN new_rows n ON n.roster_id = o.roster_id
    CROSS JOIN LATERAL (VALUES (o.clinic_id, o.practitioner_id, o.weekday),
                               (n.clinic_id, n.practitioner_id, n.weekday)) x(clinic_id, practitioner_id, weekday)
    WHERE (o.practitioner_id, o.clinic_id, o.weekday, o.start_time, o.end_time, o.effective_from, o.effective_to)
          IS DISTINCT FROM
          (n.practitioner_id, n.clinic_id, n.weekday, n.start_time, n.end_time, n.effective_from, n.effective_to)
      AND x.clinic_id IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;

-- pms.leave -> availability of the practitioner's calendar over the leave
-- dates, at the leave's clinic or (clinic_id NULL) every clinic they work at.
CREATE OR REPLACE FUNCTION healthengine.adapter_leave_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO healthengine.change_event (kind, location_id, calendar_id, local_from, local_to)
    SELECT DISTINCT 'availability', pc.clinic_id::text, 'prac-' || n.practitioner_id::text, n.start_date, n.end_date
    FROM new_rows n
    JOIN pms.practitioner_clinic pc
      ON pc.practitioner_id = n.practitioner_id AND (n.clinic_id IS NULL OR n.clinic_id = pc.clinic_id);
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO healthengine.change_event (kind, location_id, calendar_id, local_from, local_to)
    SELECT DISTINCT 'availability', pc.clinic_id::text, 'prac-' || o.practitioner_id::text, o.start_date, o.end_date
    FROM old_rows o
    JOIN pms.practitioner_clinic pc
      ON pc.practitioner_id = o.practitioner_id AND (o.clinic_id IS NULL OR o.clinic_id = pc.clinic_id);
  ELSE
    INSERT INTO healthengine.change_event (kind, location_id, calendar_id, local_from, local_to)
    SELECT DISTINCT 'availability', pc.clinic_id::text, 'prac-' || x.practitioner_id::text, x.start_date, x.end_date
    FROM old_rows o
    FULL JOIN new_rows n ON n.leave_id = o.leave_id
    CROSS JOIN LATERAL (VALUES (o.practitioner_id, o.clinic_id, o.start_date, o.end_date),
                               (n.practitioner_id, n.clinic_id, n.start_date, n.end_date))
                        x(practitioner_id, clinic_id, start_date, end_date)
    JOIN pms.practitioner_clinic pc
      ON pc.practitioner_id = x.practitioner_id AND (x.clinic_id IS NULL OR x.clinic_id = pc.clinic_id)
    WHERE (o.practitioner_id, o.clinic_id, o.start_date, o.end_date, o.start_time, o.end_time)
          IS DISTINCT FROM
          (n.practitioner_id, n.clinic_id, n.start_date, n.end_date, n.start_time, n.end_time);
  END IF;
  RETURN NULL;
END
$$;

-- pms.public_holiday -> availability of every clinic in that state (all
-- states when state is NULL) on that date; calendar NULL = the whole location.
CREATE OR REPLACE FUNCTION healthengine.adapter_public_holiday_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO healthengine.change_event (kind, location_id, local_from, local_to)
    SELECT DISTINCT 'availability', c.clinic_id::text, n.holiday_date, n.holiday_date
    FROM new_rows n
    JOIN pms.clinic c ON n.state IS NULL OR n.state = c.state;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO healthengine.change_event (kind, location_id, local_from, local_to)
    SELECT DISTINCT 'availability', c.clinic_id::text, o.holiday_date, o.holiday_date
    FROM old_rows o
    JOIN pms.clinic c ON o.state IS NULL OR o.state = c.state;
  ELSE
    INSERT INTO healthengine.change_event (kind, location_id, local_from, local_to)
    SELECT DISTINCT 'availability', c.clinic_id::text, x.holiday_date, x.holiday_date
    FROM old_rows o
    FULL JOIN new_rows n ON n.holiday_id = o.holiday_id
    CROSS JOIN LATERAL (VALUES (o.holiday_id, o.state, o.holiday_date),
                               (n.holiday_id, n.state, n.holiday_date)) x(holiday_id, state, holiday_date)
    JOIN pms.clinic c ON x.state IS NULL OR x.state = c.state
    WHERE (o.state, o.holiday_date) IS DISTINCT FROM (n.state, n.holiday_date)
      AND x.holiday_id IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;

-- pms.clinic_closure -> availability of the whole clinic over those dates.
CREATE OR REPLACE FUNCTION healthengine.adapter_clinic_closure_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO healthengine.change_event (kind, location_id, local_from, local_to)
    SELECT DISTINCT 'availability', n.clinic_id::text, n.closed_from, n.closed_to FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO healthengine.change_event (kind, location_id, local_from, local_to)
    SELECT DISTINCT 'availability', o.clinic_id::text, o.closed_from, o.closed_to FROM old_rows o;
  ELSE
    INSERT INTO healthengine.change_event (kind, location_id, local_from, local_to)
    SELECT DISTINCT 'availability', x.clinic_id::text, x.closed_from, x.closed_to
    FROM old_rows o
    FULL JOIN new_rows n ON n.closure_id = o.closure_id
    CROSS JOIN LATERAL (VALUES (o.clinic_id, o.closed_from, o.closed_to),
                               (n.clinic_id, n.closed_from, n.closed_to)) x(clinic_id, closed_from, closed_to)
    WHERE (o.clinic_id, o.closed_from, o.closed_to, o.start_time, o.end_time)
          IS DISTINCT FROM (n.clinic_id, n.closed_from, n.closed_to, n.start_time, n.end_time)
      AND x.clinic_id IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;

-- pms.clinic_hours -> the liveness default of that clinic (config
-- 'liveness'), and the availability of its bookable rooms on that weekday
-- (a room is open when its clinic is).
CREATE OR REPLACE FUNCTION healthengine.adapter_clinic_hours_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO healthengine.change_event (kind, config_kind, location_id, calendar_id, weekday)
    WITH k AS (SELECT DISTINCT n.clinic_id, n.weekday FROM new_rows n)
    SELECT 'config', 'liveness', clinic_id::text, NULL, NULL FROM (SELECT DISTINCT clinic_id FROM k) l
    UNION ALL
    SELECT 'availability', NULL, k.clinic_id::text, 'room-' || r.room_id::text, k.weekday
    FROM k JOIN pms.room r ON r.clinic_id = k.clinic_id AND r.bookable AND r.active;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO healthengine.change_event (kind, config_kind, location_id, calendar_id, weekday)
    WITH k AS (SELECT DISTINCT o.clinic_id, o.weekday FROM old_rows o)
    SELECT 'config', 'liveness', clinic_id::text, NULL, NULL FROM (SELECT DISTINCT clinic_id FROM k) l
    UNION ALL
    SELECT 'availability', NULL, k.clinic_id::text, 'room-' || r.room_id::text, k.weekday
    FROM k JOIN pms.room r ON r.clinic_id = k.clinic_id AND r.bookable AND r.active;
  ELSE
    INSERT INTO healthengine.change_event (kind, config_kind, location_id, calendar_id, weekday)
    WITH k AS (
      SELECT DISTINCT x.clinic_id, x.weekday
      FROM old_rows o
      FULL JOIN new_rows n ON n.clinic_hours_id = o.clinic_hours_id
      CROSS JOIN LATERAL (VALUES (o.clinic_id, o.weekday), (n.clinic_id, n.weekday)) x(clinic_id, weekday)
      WHERE (o.clinic_id, o.weekday, o.opens, o.closes) IS DISTINCT FROM (n.clinic_id, n.weekday, n.opens, n.closes)
        AND x.clinic_id IS NOT NULL)
    SELECT 'config', 'liveness', clinic_id::text, NULL, NULL FROM (SELECT DISTINCT clinic_id FROM k) l
    UNION ALL
    SELECT 'availability', NULL, k.clinic_id::text, 'room-' || r.room_id::text, k.weekday
    FROM k JOIN pms.room r ON r.clinic_id = k.clinic_id AND r.bookable AND r.active;
  END IF;
  RETURN NULL;
END
$$;

-- pms.clinic -> a new, removed, renamed, re-zoned or (de)activated clinic
-- changes everything Healthengine holds for that location.
CREATE OR REPLACE FUNCTION healthengine.adapter_clinic_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO healthengine.change_event (kind, config_kind, location_id)
    SELECT 'config', ck.config_kind, n.clinic_id::text
    FROM new_rows n
    CROSS JOIN (VALUES ('resources'), ('appointment_types'), ('liveness')) ck(config_kind);
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO healthengine.change_event (kind, config_kind, location_id)
    SELECT 'config', ck.config_kind, o.clinic_id::text
    FROM old_rows o
    CROSS JOIN (VALUES ('resources'), ('appointment_types'), ('liveness')) ck(config_kind);
  ELSE
    INSERT INTO healthengine.change_event (kind, config_kind, location_id)
    SELECT 'config', ck.config_kind, k.clinic_id::text
    FROM (SELECT DISTINCT x.clinic_id
          FROM old_rows o
          FULL JOIN new_rows n ON n.clinic_id = o.clinic_id
          CROSS JOIN LATERAL (VALUES (o.clinic_id), (n.clinic_id)) x(clinic_id)
          WHERE (o.name, o.time_zone, o.state, o.active) IS DISTINCT FROM (n.name, n.time_zone, n.state, n.active)
            AND x.clinic_id IS NOT NULL) k
    CROSS JOIN (VALUES ('resources'), ('appointment_types'), ('liveness')) ck(config_kind);
  END IF;
  RETURN NULL;
END
$$;

-- Resources. Appointment types are derived from resources (expanded per
-- resource, named after them), so every resources change also emits
-- 'appointment_types' for the same location.

-- Emits config 'resources' (with the calendar) and 'appointment_types' for
-- every clinic each given practitioner works at. For the low-volume config
-- tables below, which only need "which practitioners changed".
CREATE OR REPLACE FUNCTION healthengine.adapter_emit_practitioner_config(p_practitioner_ids integer[])
RETURNS void
LANGUAGE sql
AS $$
  INSERT INTO healthengine.change_event (kind, config_kind, location_id, calendar_id)
  SELECT 'config', ck.config_kind, k.clinic_id::text, CASE WHEN ck.config_kind = 'resources' THEN k.calendar_id END
  FROM (SELECT DISTINCT pc.clinic_id, 'prac-' || pc.practitioner_id::text AS calendar_id
        FROM pms.practitioner_clinic pc
        WHERE pc.practitioner_id = ANY (p_practitioner_ids)) k
  CROSS JOIN (VALUES ('resources'), ('appointment_types')) ck(config_kind)
$$;

-- pms.practitioner (UPDATE only) -> resources of each clinic the practitioner
-- works at. A new practitioner works nowhere yet; a deleted one's clinic
-- links go by cascade and report themselves.
CREATE OR REPLACE FUNCTION healthengine.adapter_practitioner_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  PERFORM healthengine.adapter_emit_practitioner_config(ARRAY(
    SELECT coalesce(n.practitioner_id, o.practitioner_id)
    FROM old_rows o
    FULL JOIN new_rows n ON n.practitioner_id = o.practitioner_id
    WHERE (o.title, o.first_name, o.last_name, o.slot_minutes, o.online_bookable, o.active)
          IS DISTINCT FROM (n.title, n.first_name, n.last_name, n.slot_minutes, n.online_bookable, n.active)));
  RETURN NULL;
END
$$;

-- pms.practitioner_clinic -> resources of that clinic (old and new).
CREATE OR REPLACE FUNCTION healthengine.adapter_practitioner_clinic_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO healthengine.change_event (kind, config_kind, location_id, calendar_id)
    SELECT 'config', ck.config_kind, k.clinic_id::text, CASE WHEN ck.config_kind = 'resources' THEN k.calendar_id END
    FROM (SELECT DISTINCT n.clinic_id, 'prac-' || n.practitioner_id::text AS calendar_id FROM new_rows n) k
    CROSS JOIN (VALUES ('resources'), ('appointment_types')) ck(config_kind);
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO healthengine.change_event (kind, config_kind, location_id, calendar_id)
    SELECT 'config', ck.config_kind, k.clinic_id::text, CASE WHEN ck.config_kind = 'resources' THEN k.calendar_id END
    FROM (SELECT DISTINCT o.clinic_id, 'prac-' || o.practitioner_id::text AS calendar_id FROM old_rows o) k
    CROSS JOIN (VALUES ('resources'), ('appointment_types')) ck(config_kind);
  ELSE
    -- every column is key: a changed row is one whose old key has no new twin
    INSERT INTO healthengine.change_event (kind, config_kind, location_id, calendar_id)
    SELECT 'config', ck.config_kind, k.clinic_id::text, CASE WHEN ck.config_kind = 'resources' THEN k.calendar_id END
    FROM (SELECT DISTINCT x.clinic_id, 'prac-' || x.practitioner_id::text AS calendar_id
          FROM old_rows o
          FULL JOIN new_rows n ON n.practitioner_id = o.practitioner_id AND n.clinic_id = o.clinic_id
          CROSS JOIN LATERAL (VALUES (o.clinic_id, o.practitioner_id), (n.clinic_id, n.practitioner_id)) x(clinic_id, practitioner_id)
          WHERE (o.practitioner_id IS NULL OR n.practitioner_id IS NULL) AND x.clinic_id IS NOT NULL) k
    CROSS JOIN (VALUES ('resources'), ('appointment_types')) ck(config_kind);
  END IF;
  RETURN NULL;
END
$$;

-- pms.practitioner_specialty -> resources of every clinic of that practitioner.
CREATE OR REPLACE FUNCTION healthengine.adapter_practitioner_specialty_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM healthengine.adapter_emit_practitioner_config(ARRAY(SELECT n.practitioner_id FROM new_rows n));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM healthengine.adapter_emit_practitioner_config(ARRAY(SELECT o.practitioner_id FROM old_rows o));
  ELSE
    PERFORM healthengine.adapter_emit_practitioner_config(ARRAY(
      SELECT x.practitioner_id
      FROM old_rows o
      FULL JOIN new_rows n ON n.practitioner_id = o.practitioner_id AND n.specialty_id = o.specialty_id
      CROSS JOIN LATERAL (VALUES (o.practitioner_id), (n.practitioner_id)) x(practitioner_id)
      WHERE o.practitioner_id IS NULL OR n.practitioner_id IS NULL));
  END IF;
  RETURN NULL;
END
$$;

-- pms.specialty (UPDATE only) -> a renamed specialty renames the resources
-- (and expanded types) of every practitioner holding it. An insert changes
-- nothing until a practitioner holds the specialty; a delete cascades to
-- practitioner_specialty and appointment_type, which report themselves.
CREATE OR REPLACE FUNCTION healthengine.adapter_specialty_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  PERFORM healthengine.adapter_emit_practitioner_config(ARRAY(
    SELECT ps.practitioner_id
    FROM old_rows o
    FULL JOIN new_rows n ON n.specialty_id = o.specialty_id
    JOIN pms.practitioner_specialty ps ON ps.specialty_id = coalesce(n.specialty_id, o.specialty_id)
    WHERE o.name IS DISTINCT FROM n.name));
  RETURN NULL;
END
$$;

-- pms.room -> resources of the room's clinic (old and new clinic).
CREATE OR REPLACE FUNCTION healthengine.adapter_room_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO healthengine.change_event (kind, config_kind, location_id, calendar_id)
    SELECT 'config', ck.config_kind, k.clinic_id::text, CASE WHEN ck.config_kind = 'resources' THEN k.calendar_id END
    FROM (SELECT DISTINCT n.clinic_id, 'room-' || n.room_id::text AS calendar_id FROM new_rows n WHERE n.bookable) k
    CROSS JOIN (VALUES ('resources'), ('appointment_types')) ck(config_kind);
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO healthengine.change_event (kind, config_kind, location_id, calendar_id)
    SELECT 'config', ck.config_kind, k.clinic_id::text, CASE WHEN ck.config_kind = 'resources' THEN k.calendar_id END
    FROM (SELECT DISTINCT o.clinic_id, 'room-' || o.room_id::text AS calendar_id FROM old_rows o WHERE o.bookable) k
    CROSS JOIN (VALUES ('resources'), ('appointment_types')) ck(config_kind);
  ELSE
    INSERT INTO healthengine.change_event (kind, config_kind, location_id, calendar_id)
    SELECT 'config', ck.config_kind, k.clinic_id::text, CASE WHEN ck.config_kind = 'resources' THEN k.calendar_id END
    FROM (SELECT DISTINCT x.clinic_id, 'room-' || x.room_id::text AS calendar_id
          FROM old_rows o
          FULL JOIN new_rows n ON n.room_id = o.room_id
          CROSS JOIN LATERAL (VALUES (o.clinic_id, o.room_id), (n.clinic_id, n.room_id)) x(clinic_id, room_id)
          WHERE (o.clinic_id, o.name, o.bookable, o.slot_minutes, o.active)
                IS DISTINCT FROM (n.clinic_id, n.name, n.bookable, n.slot_minutes, n.active)
            AND (o.bookable OR n.bookable)
            AND x.clinic_id IS NOT NULL) k
    CROSS JOIN (VALUES ('resources'), ('appointment_types')) ck(config_kind);
  END IF;
  RETURN NULL;
END
$$;

-- pms.appointment_type -> appointment types of its clinic, or of every
-- location (location_id NULL) when the type is not tied to a clinic.
CREATE OR REPLACE FUNCTION healthengine.adapter_appointment_type_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO healthengine.change_event (kind, config_kind, location_id)
    SELECT DISTINCT 'config', 'appointment_types', n.clinic_id::text
    FROM new_rows n WHERE n.online_bookable AND n.active;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO healthengine.change_event (kind, config_kind, location_id)
    SELECT DISTINCT 'config', 'appointment_types', o.clinic_id::text
    FROM old_rows o WHERE o.online_bookable AND o.active;
  ELSE
    INSERT INTO healthengine.change_event (kind, config_kind, location_id)
    SELECT DISTINCT 'config', 'appointment_types', x.clinic_id::text
    FROM old_rows o
    FULL JOIN new_rows n ON n.appointment_type_id = o.appointment_type_id
    CROSS JOIN LATERAL (VALUES (o.appointment_type_id, o.clinic_id), (n.appointment_type_id, n.clinic_id)) x(appointment_type_id, clinic_id)
    WHERE (o.name, o.duration_minutes, o.specialty_id, o.clinic_id, o.online_bookable, o.active)
          IS DISTINCT FROM (n.name, n.duration_minutes, n.specialty_id, n.clinic_id, n.online_bookable, n.active)
      -- a type that is offline before and after is invisible to Healthengine
      AND ((o.online_bookable AND o.active) OR (n.online_bookable AND n.active))
      AND x.appointment_type_id IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;

-- pms.appointment_type_practitioner -> appointment types of each clinic the
-- practitioner works at.
CREATE OR REPLACE FUNCTION healthengine.adapter_appointment_type_practitioner_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
DECLARE
  v_ids integer[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    v_ids := ARRAY(SELECT n.practitioner_id FROM new_rows n);
  ELSIF TG_OP = 'DELETE' THEN
    v_ids := ARRAY(SELECT o.practitioner_id FROM old_rows o);
  ELSE
    v_ids := ARRAY(SELECT x.practitioner_id
                   FROM old_rows o
                   FULL JOIN new_rows n ON n.appointment_type_id = o.appointment_type_id AND n.practitioner_id = o.practitioner_id
                   CROSS JOIN LATERAL (VALUES (o.practitioner_id), (n.practitioner_id)) x(practitioner_id)
                   WHERE (o.practitioner_id IS NULL OR n.practitioner_id IS NULL) AND x.practitioner_id IS NOT NULL);
  END IF;
  INSERT INTO healthengine.change_event (kind, config_kind, location_id)
  SELECT DISTINCT 'config', 'appointment_types', pc.clinic_id::text
  FROM pms.practitioner_clinic pc
  WHERE pc.practitioner_id = ANY (v_ids);
  RETURN NULL;
END
$$;

-- pms.appointment_type_room -> appointment types of the room's clinic.
CREATE OR REPLACE FUNCTION healthengine.adapter_appointment_type_room_changed()
RETURNS trigger
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
DECLARE
  v_ids integer[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    v_ids := ARRAY(SELECT n.room_id FROM new_rows n);
  ELSIF TG_OP = 'DELETE' THEN
    v_ids := ARRAY(SELECT o.room_id FROM old_rows o);
  ELSE
    v_ids := ARRAY(SELECT x.room_id
                   FROM old_rows o
                   FULL JOIN new_rows n ON n.appointment_type_id = o.appointment_type_id AND n.room_id = o.room_id
                   CROSS JOIN LATERAL (VALUES (o.room_id), (n.room_id)) x(room_id)
                   WHERE (o.room_id IS NULL OR n.room_id IS NULL) AND x.room_id IS NOT NULL);
  END IF;
  INSERT INTO healthengine.change_event (kind, config_kind, location_id)
  SELECT DISTINCT 'config', 'appointment_types', r.clinic_id::text
  FROM pms.room r
  WHERE r.room_id = ANY (v_ids);
  RETURN NULL;
END
$$;

-- Attach the capture functions. The hot tables: one row-level trigger each.
-- The others: one statement-level trigger per table and event (transition
-- tables rule out multi-event triggers). CREATE OR REPLACE TRIGGER keeps
-- re-runs idempotent; the statement-level triggers earlier versions put on
-- the hot tables are dropped.
DO $attach$
DECLARE
  t  record;
  ev text;
BEGIN
  FOR t IN
    SELECT * FROM (VALUES
      ('pms.appointment', 'healthengine.adapter_appointment_changed'),
      ('pms.diary_block', 'healthengine.adapter_diary_block_changed')
    ) v(tbl, fn)
  LOOP
    FOREACH ev IN ARRAY '{insert,update,delete}'::text[] LOOP
      EXECUTE format('DROP TRIGGER IF EXISTS healthengine_capture_%s ON %s', ev, t.tbl);
    END LOOP;
    EXECUTE format('CREATE OR REPLACE TRIGGER healthengine_capture AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s()',
                   t.tbl, t.fn);
  END LOOP;

  FOR t IN
    SELECT * FROM (VALUES
      ('pms.roster',                        'healthengine.adapter_roster_changed',                        '{insert,update,delete}'::text[]),
      ('pms.leave',                         'healthengine.adapter_leave_changed',                         '{insert,update,delete}'),
      ('pms.public_holiday',                'healthengine.adapter_public_holiday_changed',                '{insert,update,delete}'),
      ('pms.clinic_closure',                'healthengine.adapter_clinic_closure_changed',                '{insert,update,delete}'),
      ('pms.clinic_hours',                  'healthengine.adapter_clinic_hours_changed',                  '{insert,update,delete}'),
      ('pms.clinic',                        'healthengine.adapter_clinic_changed',                        '{insert,update,delete}'),
      ('pms.practitioner',                  'healthengine.adapter_practitioner_changed',                  '{update}'),
      ('pms.practitioner_clinic',           'healthengine.adapter_practitioner_clinic_changed',           '{insert,update,delete}'),
      ('pms.practitioner_specialty',        'healthengine.adapter_practitioner_specialty_changed',        '{insert,update,delete}'),
      ('pms.specialty',                     'healthengine.adapter_specialty_changed',                     '{update}'),
      ('pms.room',                          'healthengine.adapter_room_changed',                          '{insert,update,delete}'),
      ('pms.appointment_type',              'healthengine.adapter_appointment_type_changed',              '{insert,update,delete}'),
      ('pms.appointment_type_practitioner', 'healthengine.adapter_appointment_type_practitioner_changed', '{insert,update,delete}'),
      ('pms.appointment_type_room',         'healthengine.adapter_appointment_type_room_changed',         '{insert,update,delete}')
    ) v(tbl, fn, events)
  LOOP
    FOREACH ev IN ARRAY t.events LOOP
      EXECUTE format('CREATE OR REPLACE TRIGGER healthengine_capture_%s AFTER %s ON %s REFERENCING %s FOR EACH STATEMENT EXECUTE FUNCTION %s()',
                     ev, upper(ev), t.tbl,
                     CASE ev WHEN 'insert' THEN 'NEW TABLE AS new_rows'
                             WHEN 'update' THEN 'OLD TABLE AS old_rows NEW TABLE AS new_rows'
                             ELSE 'OLD TABLE AS old_rows' END,
                     t.fn);
    END LOOP;
  END LOOP;
END
$attach$;
