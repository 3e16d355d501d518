-- Connector schema: control tables PMS users edit, the outbox triggers write,
-- and the connector's own bookkeeping. Everything lives in schema healthengine.

CREATE SCHEMA IF NOT EXISTS healthengine;

-- Which process wrote a row change: triggers stamp it on every outbox row so the
-- planner never echoes the connector's own PMS writes back to Healthengine.
CREATE OR REPLACE FUNCTION healthengine.current_origin() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(nullif(current_setting('healthengine.origin', true), ''), 'pms')
$$;

-- A practice link: one Healthengine practice (id + key) covering one or more PMS locations.
CREATE TABLE IF NOT EXISTS healthengine.practice_link (
  link_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  he_practice_id     text        NOT NULL,
  he_practice_key    text        NOT NULL,
  location_ids       text[]      NOT NULL DEFAULT '{}',
  enabled            boolean     NOT NULL DEFAULT true,
  status             text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending','active','consent_required','unauthorized','disabled','superseded','invalid','error')),
  status_message     text,
  label              text,
  -- bumped whenever the practice id or key changes: jobs planned for an older
  -- generation are dropped, so nothing reaches the previous practice.
  generation         integer     NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  status_changed_at  timestamptz,
  last_config_push_at       timestamptz,
  last_availability_push_at timestamptz,
  last_requests_check_at    timestamptz
);
-- The connector writes status columns; PMS users write the rest. The planner
-- tells a user save (updated_at moves) from a status write by old vs new row.
ALTER TABLE healthengine.practice_link REPLICA IDENTITY FULL;

CREATE OR REPLACE FUNCTION healthengine.practice_link_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.generation := 1;
    NEW.status := CASE WHEN NEW.enabled THEN 'pending' ELSE 'disabled' END;
    NEW.status_message := NULL;
    NEW.status_changed_at := now();
    RETURN NEW;
  END IF;
  NEW.generation := OLD.generation
    + CASE WHEN (NEW.he_practice_id, NEW.he_practice_key) IS DISTINCT FROM (OLD.he_practice_id, OLD.he_practice_key) THEN 1 ELSE 0 END;
  -- Any save by a PMS user (even of unchanged values) restarts the link: the
  -- connector re-validates it and sends its configuration again. The
  -- connector's own status writes set healthengine.origin = 'connector'.
  IF healthengine.current_origin() <> 'connector' THEN
    NEW.updated_at := now();
    IF NEW.status = OLD.status THEN
      NEW.status := CASE WHEN NEW.enabled THEN 'pending' ELSE 'disabled' END;
      NEW.status_message := NULL;
    END IF;
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    NEW.status_changed_at := now();
  END IF;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS practice_link_touch ON healthengine.practice_link;
CREATE TRIGGER practice_link_touch BEFORE INSERT OR UPDATE ON healthengine.practice_link
  FOR EACH ROW EXECUTE FUNCTION healthengine.practice_link_touch();

-- A PMS user's request to send configuration and/or availability again.
CREATE TABLE IF NOT EXISTS healthengine.resync_request (
  request_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  scope         text        NOT NULL DEFAULT 'all' CHECK (scope IN ('config','availability','all')),
  link_id       bigint,
  location_id   text,
  requested_by  text        NOT NULL DEFAULT current_user,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  status        text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','running','done','failed')),
  done_at       timestamptz,
  result        text
);

-- Liveness hours per link: when the connector promises to answer requests.
-- A link with no rows here uses its locations' opening hours (adapter view
-- healthengine.pms_location_hours); day 'public_holidays' gives hours on public holidays.
CREATE TABLE IF NOT EXISTS healthengine.liveness_hours (
  link_id     bigint NOT NULL REFERENCES healthengine.practice_link (link_id) ON DELETE CASCADE,
  day         text   NOT NULL CHECK (day IN ('monday','tuesday','wednesday','thursday','friday','saturday','sunday','publicHolidays')),
  start_time  time   NOT NULL,
  end_time    time   NOT NULL,
  PRIMARY KEY (link_id, day, start_time),
  CHECK (start_time < end_time)
);

-- The outbox: adapter triggers write canonical change events here; the
-- connector streams them through the replication slot and prunes them once
-- the jobs they imply are durable. See docs/adapter.md for each column.
-- Value checks are domains, not table CHECKs: PostgreSQL prepares a table's
-- CHECK expressions again for every INSERT statement (~20 us each, measured:
-- most of the trigger cost of a single-row PMS transaction), a domain's once
-- per session. Which columns each kind needs is the adapter's contract.
DO $$
BEGIN
  IF to_regtype('healthengine.change_kind') IS NULL THEN
    CREATE DOMAIN healthengine.change_kind AS text CHECK (VALUE IN ('availability','config','appointment_state','control'));
  END IF;
  IF to_regtype('healthengine.config_kind') IS NULL THEN
    CREATE DOMAIN healthengine.config_kind AS text CHECK (VALUE IN ('resources','appointment_types','liveness'));
  END IF;
  IF to_regtype('healthengine.appointment_state') IS NULL THEN
    CREATE DOMAIN healthengine.appointment_state AS text CHECK (VALUE IN ('cancelled','did_not_attend'));
  END IF;
  IF to_regtype('healthengine.weekday') IS NULL THEN
    CREATE DOMAIN healthengine.weekday AS smallint CHECK (VALUE BETWEEN 0 AND 6);
  END IF;
END $$;

CREATE TABLE IF NOT EXISTS healthengine.change_event (
  event_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at        timestamptz NOT NULL DEFAULT now(),
  origin            text        NOT NULL DEFAULT healthengine.current_origin(),
  kind              healthengine.change_kind NOT NULL,
  config_kind       healthengine.config_kind,
  location_id       text,
  calendar_id       text,
  at_from           timestamptz,
  at_to             timestamptz,
  local_from        date,
  local_to          date,
  weekday           healthengine.weekday,
  appointment_id    text,
  appointment_state healthengine.appointment_state
);

-- Bookings that came from Healthengine and the PMS appointments they became.
CREATE TABLE IF NOT EXISTS healthengine.booking (
  he_booking_id        bigint      NOT NULL,
  link_id              bigint      NOT NULL REFERENCES healthengine.practice_link (link_id),
  pms_appointment_ids  text[]      NOT NULL DEFAULT '{}',
  pms_patient_id       text,
  state                text        NOT NULL,
  state_message        text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (link_id, he_booking_id)
);
CREATE INDEX IF NOT EXISTS booking_appointment_ids ON healthengine.booking USING gin (pms_appointment_ids);

-- Stream bookkeeping: the connector's own view of the slot, for status.
CREATE TABLE IF NOT EXISTS healthengine.stream_state (
  slot_name          text PRIMARY KEY,
  owner              text,
  owner_since        timestamptz,
  last_ack_lsn       pg_lsn,
  last_ack_at        timestamptz,
  last_event_at      timestamptz
);

-- Config values the connector reads at run time and a DBA may tune.
CREATE TABLE IF NOT EXISTS healthengine.setting (
  name   text PRIMARY KEY,
  value  text NOT NULL
);
