-- Capture helpers, outbox-poll mode (no replication slot to read WAL
-- messages from): each change is one row of healthengine.change_event, the
-- same row a statement-level adapter trigger would write. Same signatures as
-- wal-messages.sql, which install writes instead in replication mode; the
-- adapter's row-level triggers call these and cannot tell which is installed.
-- They return NULL (the WAL versions return the message's LSN; callers ignore
-- both).

CREATE OR REPLACE FUNCTION healthengine.capture_availability(
  p_location_id text, p_calendar_id text, p_at_from timestamptz, p_at_to timestamptz)
RETURNS pg_lsn
LANGUAGE sql VOLATILE AS $$
  INSERT INTO healthengine.change_event (kind, location_id, calendar_id, at_from, at_to)
  VALUES ('availability', p_location_id, p_calendar_id, p_at_from, p_at_to);
  SELECT NULL::pg_lsn;
$$;

-- The range left, then the range taken: two rows.
CREATE OR REPLACE FUNCTION healthengine.capture_availability_moved(
  p_location_id text, p_calendar_id text,
  p_old_from timestamptz, p_old_to timestamptz, p_new_from timestamptz, p_new_to timestamptz)
RETURNS pg_lsn
LANGUAGE sql VOLATILE AS $$
  SELECT healthengine.capture_availability(p_location_id, p_calendar_id, p_old_from, p_old_to);
  SELECT healthengine.capture_availability(p_location_id, p_calendar_id, p_new_from, p_new_to);
$$;

CREATE OR REPLACE FUNCTION healthengine.capture_appointment_state(p_appointment_id text, p_state text)
RETURNS pg_lsn
LANGUAGE sql VOLATILE AS $$
  INSERT INTO healthengine.change_event (kind, appointment_id, appointment_state)
  VALUES ('appointment_state', p_appointment_id, p_state);
  SELECT NULL::pg_lsn;
$$;
