-- Capture helpers, replication mode: each change is one transactional WAL
-- message (prefix 'healthengine.change') that the connector reads from its
-- slot in commit order, exactly like an outbox row, and that rolls back with
-- the transaction (or savepoint) that wrote it. No table write: on a PMS's
-- single-row transaction this is the cheapest durable record there is
-- (docs/benchmarks.md, trigger-variants). install writes these, or the
-- outbox versions (outbox-rows.sql) in outbox-poll mode; the adapter's
-- row-level triggers call them and cannot tell which is installed.
--
-- LANGUAGE sql and a single SELECT, so PostgreSQL inlines them into the
-- calling PL/pgSQL expression: no function call, no SPI. They return the
-- message's LSN only because an inlinable function must return a value;
-- callers assign it and ignore it (an assignment stays a "simple expression"
-- in PL/pgSQL, PERFORM would not).
--
-- Content: binary, built from the cheapest operations there are (a JSON
-- array cost ~1.2 us per call, this ~0.2 us; it matters to bulk statements,
-- which emit one message per changed row). No DateStyle, TimeZone or client
-- encoding of the writing session changes it.
--   availability:        'a', at_from, at_to, location_id, 0x00, calendar_id
--   availability, moved: 'm', old_from, old_to, new_from, new_to, location_id, 0x00, calendar_id
--   appointment_state:   'S', origin, state, appointment_id
-- Instants are timestamptz_send's 8 bytes (big-endian microseconds since
-- 2000-01-01 UTC); ids are UTF-8 (text never holds 0x00); origin is one
-- byte, 'p' (pms) or 'c' (connector); state 'C' (cancelled) or 'D'
-- (did_not_attend). Availability carries no origin: the connector's own
-- writes dirty availability like anyone's, so nothing reads it, and looking
-- it up (a GUC and a CASE) cost a single-row transaction ~8,000 instructions
-- (docs/decisions.md, "A trigger is paid for by what it compiles").
-- Earlier installs wrote availability as 'A' with an origin byte; the
-- connector still reads those, so a slot holding them drains after an upgrade.
-- src/domain/change-event.ts (decodeChangeMessage) reads it.

CREATE OR REPLACE FUNCTION healthengine.capture_availability(
  p_location_id text, p_calendar_id text, p_at_from timestamptz, p_at_to timestamptz)
RETURNS pg_lsn
LANGUAGE sql VOLATILE AS $$
  SELECT pg_logical_emit_message(true, 'healthengine.change',
    '\x61'::bytea || timestamptz_send(p_at_from) || timestamptz_send(p_at_to)
    || convert_to(p_location_id, 'UTF8') || '\x00'::bytea || convert_to(p_calendar_id, 'UTF8'))
$$;

-- One diary's booking or block moved or resized: the range it left and the
-- range it took, in one message (what a single-row edit mostly is).
CREATE OR REPLACE FUNCTION healthengine.capture_availability_moved(
  p_location_id text, p_calendar_id text,
  p_old_from timestamptz, p_old_to timestamptz, p_new_from timestamptz, p_new_to timestamptz)
RETURNS pg_lsn
LANGUAGE sql VOLATILE AS $$
  SELECT pg_logical_emit_message(true, 'healthengine.change',
    '\x6d'::bytea || timestamptz_send(p_old_from) || timestamptz_send(p_old_to)
    || timestamptz_send(p_new_from) || timestamptz_send(p_new_to)
    || convert_to(p_location_id, 'UTF8') || '\x00'::bytea || convert_to(p_calendar_id, 'UTF8'))
$$;

CREATE OR REPLACE FUNCTION healthengine.capture_appointment_state(p_appointment_id text, p_state text)
RETURNS pg_lsn
LANGUAGE sql VOLATILE AS $$
  SELECT pg_logical_emit_message(true, 'healthengine.change',
    CASE healthengine.current_origin() WHEN 'connector' THEN '\x5363'::bytea ELSE '\x5370'::bytea END
    || CASE p_state::healthengine.appointment_state WHEN 'cancelled' THEN '\x43'::bytea ELSE '\x44'::bytea END
    || convert_to(p_appointment_id, 'UTF8'))
$$;
