-- Control-table changes also land in the outbox, so the outbox alone carries
-- everything the planner needs: the outbox-polling capture mode (for roles
-- that may not replicate) reads only this table. The replication stream reads
-- the control tables themselves and skips these rows.

DO $$
BEGIN
  IF to_regtype('healthengine.control_table') IS NULL THEN
    CREATE DOMAIN healthengine.control_table AS text CHECK (VALUE IN ('practice_link','resync_request','liveness_hours'));
  END IF;
  IF to_regtype('healthengine.control_op') IS NULL THEN
    CREATE DOMAIN healthengine.control_op AS text CHECK (VALUE IN ('insert','update','delete'));
  END IF;
END $$;
ALTER TABLE healthengine.change_event
  ADD COLUMN IF NOT EXISTS control_table healthengine.control_table,
  ADD COLUMN IF NOT EXISTS control_op    healthengine.control_op,
  ADD COLUMN IF NOT EXISTS link_id       bigint,
  ADD COLUMN IF NOT EXISTS request_id    bigint,
  -- a practice_link change made by a PMS user (not a status write of the connector's)
  ADD COLUMN IF NOT EXISTS user_save     boolean;

CREATE OR REPLACE FUNCTION healthengine.capture_practice_link() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO healthengine.change_event (kind, control_table, control_op, link_id, user_save)
  VALUES ('control', 'practice_link', lower(TG_OP),
          CASE WHEN TG_OP = 'DELETE' THEN OLD.link_id ELSE NEW.link_id END,
          TG_OP <> 'UPDATE' OR NEW.updated_at IS DISTINCT FROM OLD.updated_at);
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS capture_practice_link ON healthengine.practice_link;
CREATE TRIGGER capture_practice_link AFTER INSERT OR UPDATE OR DELETE ON healthengine.practice_link
  FOR EACH ROW EXECUTE FUNCTION healthengine.capture_practice_link();

CREATE OR REPLACE FUNCTION healthengine.capture_resync_request() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO healthengine.change_event (kind, control_table, control_op, request_id)
  VALUES ('control', 'resync_request', 'insert', NEW.request_id);
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS capture_resync_request ON healthengine.resync_request;
CREATE TRIGGER capture_resync_request AFTER INSERT ON healthengine.resync_request
  FOR EACH ROW EXECUTE FUNCTION healthengine.capture_resync_request();

CREATE OR REPLACE FUNCTION healthengine.capture_liveness_hours() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO healthengine.change_event (kind, control_table, control_op, link_id)
  SELECT DISTINCT 'control', 'liveness_hours', lower(TG_OP), l
  FROM unnest(ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.link_id END, CASE WHEN TG_OP <> 'DELETE' THEN NEW.link_id END]) l
  WHERE l IS NOT NULL;
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS capture_liveness_hours ON healthengine.liveness_hours;
CREATE TRIGGER capture_liveness_hours AFTER INSERT OR UPDATE OR DELETE ON healthengine.liveness_hours
  FOR EACH ROW EXECUTE FUNCTION healthengine.capture_liveness_hours();

-- Wakes outbox pollers. Installed only in outbox-poll mode (see install):
-- NOTIFY serialises committing transactions, a cost replication mode avoids.
CREATE OR REPLACE FUNCTION healthengine.notify_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('healthengine_outbox', '');
  RETURN NULL;
END $$;
