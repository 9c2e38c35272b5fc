-- Idempotency-Key (the contract's "Failures and retries"). The first request with a key runs its
-- write and stores the write's outcome with the key, in the same transaction and statement; a
-- later request with the same key and the same request gets that outcome back and writes nothing.

CREATE TABLE goods_idempotency_keys (
  key        text PRIMARY KEY,
  -- A digest of the method, path, query and body the key was first sent with.
  request    text NOT NULL,
  -- What the write function returned; NULL when its target was missing (a 404).
  outcome    json,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX goods_idempotency_keys_created_at_idx ON goods_idempotency_keys (created_at);

-- A stored 404 changes no good, so no outbox row checks its deadline (0009): the key does.
CREATE CONSTRAINT TRIGGER goods_idempotency_keys_commit_deadline
AFTER INSERT ON goods_idempotency_keys DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION goods_check_commit_deadline();

-- A keyed reprioritize's answer chunks after the first (0008 takes them from goods_answer_chunks
-- and deletes them as it goes): kept as long as the key, for replays.
CREATE TABLE goods_kept_answer_chunks (
  key   text NOT NULL REFERENCES goods_idempotency_keys ON DELETE CASCADE,
  chunk int NOT NULL,
  items text NOT NULL,
  PRIMARY KEY (key, chunk)
);

CREATE FUNCTION goods_key_lifetime() RETURNS interval LANGUAGE sql IMMUTABLE AS $$ SELECT interval '24 hours' $$;

-- Starts a keyed write (after goods_begin_write's deadline): claims p_key for this transaction, or
-- says why the write must not run. NULL: claimed, the write runs. Otherwise
-- {"replay": outcome} (the key's request, done before), {"mismatch": true} (another request), or
-- {"inProgress": true}: the first request with the key has not committed by this one's deadline (a
-- duplicate waits on the first one's uncommitted key row; the wait ends at the deadline).
-- Expired keys go a few at a time with each claim, so the table holds about a lifetime of keys.
CREATE FUNCTION goods_begin_keyed_write(p_deadline timestamptz, p_key text, p_request text) RETURNS json
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  claimed int;
  prior goods_idempotency_keys;
BEGIN
  PERFORM goods_begin_write(p_deadline);
  DELETE FROM goods_idempotency_keys WHERE key IN (
    SELECT k.key FROM goods_idempotency_keys k WHERE k.created_at < now() - goods_key_lifetime()
    ORDER BY k.created_at LIMIT 10 FOR UPDATE SKIP LOCKED);
  DELETE FROM goods_idempotency_keys WHERE key = p_key AND created_at < now() - goods_key_lifetime();
  -- A duplicate waits for the first request's key until half a second before its deadline, so
  -- that its wait ends here (a 409) and not in the statement budget, which ends about then too.
  PERFORM set_config('lock_timeout', greatest(1, floor(extract(epoch FROM p_deadline - clock_timestamp()) * 1000) - 500)::text, true);
  BEGIN
    INSERT INTO goods_idempotency_keys (key, request) VALUES (p_key, p_request) ON CONFLICT (key) DO NOTHING;
    GET DIAGNOSTICS claimed = ROW_COUNT;
  EXCEPTION WHEN lock_not_available THEN
    RETURN json_build_object('inProgress', true);
  END;
  PERFORM goods_begin_write(p_deadline); -- the write's own lock waits end at the deadline again
  IF claimed = 1 THEN
    PERFORM set_config('goods.claimed_key', p_key, true);
    RETURN NULL;
  END IF;
  SELECT * INTO prior FROM goods_idempotency_keys WHERE key = p_key;
  IF prior.request <> p_request THEN
    RETURN json_build_object('mismatch', true);
  END IF;
  RETURN json_build_object('replay', prior.outcome);
END
$$;

-- Stores the outcome of the write that claimed p_key, and passes it on.
CREATE FUNCTION goods_keep_outcome(p_key text, p_outcome json) RETURNS json
LANGUAGE sql VOLATILE AS $$
  UPDATE goods_idempotency_keys SET outcome = p_outcome WHERE key = p_key;
  SELECT p_outcome;
$$;

-- A reprioritize under p_key, run only when this transaction claimed the key (its own statement
-- after goods_begin_keyed_write). Its answer's chunks move to the key, where they stay for replays.
CREATE FUNCTION goods_reprioritize_keyed(p_key text, p_id int, p_project_id int, p_new_priority int)
RETURNS TABLE (priorities text, chunks int, answer_id uuid, parts json)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  r record;
BEGIN
  IF current_setting('goods.claimed_key', true) IS DISTINCT FROM p_key THEN
    RETURN;
  END IF;
  SELECT * INTO r FROM goods_reprioritize(p_id, p_project_id, p_new_priority);
  IF NOT FOUND THEN
    PERFORM goods_keep_outcome(p_key, NULL);
    RETURN;
  END IF;
  WITH taken AS (
    DELETE FROM goods_answer_chunks c WHERE c.answer_id = r.answer_id RETURNING c.chunk, c.items
  )
  INSERT INTO goods_kept_answer_chunks (key, chunk, items) SELECT p_key, t.chunk, t.items FROM taken t;
  PERFORM goods_keep_outcome(p_key, json_build_object('priorities', r.priorities, 'chunks', r.chunks));
  RETURN QUERY SELECT r.priorities, r.chunks, r.answer_id, r.parts;
END
$$;

-- Chunks p_from .. p_to of a keyed reprioritize's answer (in any order: the caller sorts).
CREATE FUNCTION goods_read_kept_chunks(p_key text, p_from int, p_to int)
RETURNS TABLE (chunk int, items text)
LANGUAGE sql STABLE AS $$
  SELECT c.chunk, c.items FROM goods_kept_answer_chunks c WHERE c.key = p_key AND c.chunk BETWEEN p_from AND p_to
$$;
