-- A write commits only before its deadline. The edge gives up on a request after a deadline of
-- its own; time spent connecting and queueing in a pooler counts against it, but statement_timeout
-- (0004) only starts once the statement reaches Postgres. Without this, a write queued or blocked
-- past the edge's deadline could still commit after the client was answered 500.
--
-- The edge starts every write with goods_begin_write(deadline), in the same transaction:
-- * a write that arrives after its deadline fails at once and takes no lock;
-- * a lock wait ends at the deadline (lock_timeout), not at the statement budget;
-- * the deadline is checked again when the transaction commits (a deferred trigger on the outbox,
--   which every write that changes a good inserts into), so nothing commits once it has passed.

CREATE FUNCTION goods_deadline_passed(deadline timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the write''s deadline (%) has passed', deadline USING ERRCODE = 'query_canceled';
END
$$;

CREATE FUNCTION goods_begin_write(p_deadline timestamptz) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  left_ms bigint := floor(extract(epoch FROM p_deadline - clock_timestamp()) * 1000);
BEGIN
  IF left_ms <= 0 THEN
    PERFORM goods_deadline_passed(p_deadline);
  END IF;
  PERFORM set_config('goods.commit_deadline', p_deadline::text, true);
  PERFORM set_config('lock_timeout', left_ms::text, true);
END
$$;

CREATE FUNCTION goods_check_commit_deadline() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  deadline timestamptz := NULLIF(current_setting('goods.commit_deadline', true), '')::timestamptz;
BEGIN
  IF deadline IS NOT NULL AND clock_timestamp() >= deadline THEN
    PERFORM goods_deadline_passed(deadline);
  END IF;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER goods_outbox_commit_deadline
AFTER INSERT ON goods_outbox DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION goods_check_commit_deadline();
