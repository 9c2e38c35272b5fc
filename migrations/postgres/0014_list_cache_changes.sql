-- What a write changed in the list, for the edge's list cache: the positions whose goods it
-- changed, and the counts after it. Each write function of the edge is wrapped (the functions of
-- 0007, 0010 and 0013 stay as they are) so that its answer also carries
--   list: {"first": p, "last": q, "version": v, "total": t, "removed": r}
-- where positions p..q (1-based, q NULL for "to the end") are every position whose good, or
-- whose good's fields, differ after the write, and v orders the counts: goods_stats.version is
-- bumped by every change of the counts, under the counter row's lock, so in commit order.
-- An update or a remove, which changes one good in place, also reports it:
--   "good": {"rev": n, "old": <goods_json before>, "new": <goods_json after>}
-- so that the edge can change the good in the cached pages rather than drop them. `rev` is the
-- outbox seq of its event: writes of one good hold its row lock, so their revs follow their
-- commits.
--
-- A position is only right while no concurrent write can move the good. Creates append, and
-- neither updates nor removes move anything; only a reprioritize does. One that moves its target
-- down shifts the goods between the old and the new place up by one without changing them
-- otherwise, so it locks those rows too: an update or remove of such a good then commits
-- wholly before or wholly after the move, and reports the position it has at its commit.

ALTER TABLE goods_stats ADD COLUMN version bigint NOT NULL DEFAULT 0;

-- The counter functions of 0005 and 0008, with the version.
CREATE OR REPLACE FUNCTION goods_count_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE goods_stats s
  SET total = s.total + c.total, removed = s.removed + c.removed, version = s.version + 1
  FROM (SELECT count(*) AS total, count(*) FILTER (WHERE removed) AS removed FROM inserted) c;
  PERFORM goods_count_in_blocks(ARRAY(SELECT (goods_key_block(sort_key), 1)::goods_key_blocks FROM inserted));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION goods_count_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE goods_stats s
  SET total = s.total - c.total, removed = s.removed - c.removed, version = s.version + 1
  FROM (SELECT count(*) AS total, count(*) FILTER (WHERE removed) AS removed FROM deleted) c;
  PERFORM goods_count_in_blocks(ARRAY(SELECT (goods_key_block(sort_key), -1)::goods_key_blocks FROM deleted));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION goods_count_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE goods_stats SET removed = removed + NEW.removed::int - OLD.removed::int, version = version + 1;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION goods_reset_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE goods_stats SET total = 0, removed = 0, version = version + 1;
  DELETE FROM goods_key_blocks;
  RETURN NULL;
END
$$;

-- The 1-based position of the good with key k: the goods of the key blocks before its block,
-- then those before it in its block.
CREATE FUNCTION goods_position(k bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT COALESCE((SELECT sum(b.goods) FROM goods_key_blocks b WHERE b.block < goods_key_block(k)), 0)
       + (SELECT count(*) FROM goods g WHERE g.sort_key >= goods_key_block(k) << 42 AND g.sort_key < k)
       + 1
$$;

-- Volatile, as the functions below: each sees what the write before it in the statement did.
CREATE FUNCTION goods_list_change(p_first bigint, p_last bigint, p_good json) RETURNS json
LANGUAGE sql VOLATILE AS $$
  SELECT json_build_object('first', p_first, 'last', p_last, 'version', s.version, 'total', s.total, 'removed', s.removed,
                           'good', p_good)
  FROM goods_stats s
$$;

-- A live good's state as the list shows it, locked (NULL when there is none): the state an update
-- or a remove changes it from.
CREATE FUNCTION goods_locked_json(p_id int, p_project_id int) RETURNS json
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  g goods := goods_lock_live(p_id, p_project_id);
BEGIN
  RETURN CASE WHEN g.id IS NULL THEN NULL ELSE goods_json(g) END;
END
$$;

-- The answer of a create, update or remove (NULL stays NULL), with `list` for the good's position;
-- with its states before and after when `p_old` is given.
CREATE FUNCTION goods_with_list_change(p_out json, p_id int, p_project_id int, p_old json) RETURNS json
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  g goods;
  rev bigint;
BEGIN
  IF p_out IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT * INTO g FROM goods WHERE id = p_id AND project_id = p_project_id;
  SELECT o.seq INTO rev FROM goods_outbox o WHERE o.event_id = (p_out -> 'events' -> 0 ->> 'eventId')::uuid;
  RETURN json_build_object('good', p_out -> 'good', 'events', p_out -> 'events', 'list', goods_list_change(
    goods_position(g.sort_key), goods_position(g.sort_key),
    CASE WHEN p_old IS NOT NULL THEN json_build_object('rev', rev, 'old', p_old, 'new', goods_json(g)) END));
END
$$;

CREATE FUNCTION goods_create_listed(p_project_id int, p_name text, p_description text) RETURNS json
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  out json := goods_create(p_project_id, p_name, p_description);
BEGIN
  RETURN goods_with_list_change(out, (out -> 'good' ->> 'id')::int, p_project_id, NULL);
END
$$;

CREATE FUNCTION goods_update_listed(p_id int, p_project_id int, p_name text, p_description text) RETURNS json
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  old json := goods_locked_json(p_id, p_project_id);
BEGIN
  RETURN goods_with_list_change(goods_update(p_id, p_project_id, p_name, p_description), p_id, p_project_id, old);
END
$$;

CREATE FUNCTION goods_remove_listed(p_id int, p_project_id int) RETURNS json
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  old json := goods_locked_json(p_id, p_project_id);
BEGIN
  RETURN goods_with_list_change(goods_remove(p_id, p_project_id), p_id, p_project_id, old);
END
$$;

-- Before a reprioritize: takes the priority lock (which the move takes again), locks the goods
-- a move down shifts without changing them, and returns the target's position (NULL when it is
-- not a live good: the move then changes nothing).
CREATE FUNCTION goods_prepare_move(p_id int, p_project_id int, p_new_priority int) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  target goods;
  next_key bigint;
BEGIN
  PERFORM goods_lock_priorities();
  SELECT * INTO target FROM goods WHERE id = p_id AND project_id = p_project_id AND NOT removed;
  IF target.id IS NULL THEN
    RETURN NULL;
  END IF;
  IF p_new_priority > target.priority THEN
    next_key := goods_first_key_from(p_new_priority, p_id, p_project_id);
    PERFORM 1 FROM goods
    WHERE sort_key > target.sort_key AND (next_key IS NULL OR sort_key < next_key)
    FOR UPDATE;
  END IF;
  RETURN goods_position(target.sort_key);
END
$$;

-- After it: every position from the smaller of the target's old and new one changed (the goods
-- after it shifted, in place or in priority), to the end.
CREATE FUNCTION goods_move_change(p_id int, p_project_id int, p_old bigint) RETURNS json
LANGUAGE sql VOLATILE AS $$
  SELECT goods_list_change(least(p_old, goods_position(g.sort_key)), NULL, NULL)
  FROM goods g WHERE g.id = p_id AND g.project_id = p_project_id
$$;

CREATE FUNCTION goods_reprioritize_listed(p_id int, p_project_id int, p_new_priority int)
RETURNS TABLE (priorities text, chunks int, answer_id uuid, parts json, list json)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  old bigint := goods_prepare_move(p_id, p_project_id, p_new_priority);
  r record;
BEGIN
  SELECT * INTO r FROM goods_reprioritize(p_id, p_project_id, p_new_priority);
  IF NOT FOUND THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT r.priorities, r.chunks, r.answer_id, r.parts, goods_move_change(p_id, p_project_id, old);
END
$$;

CREATE FUNCTION goods_reprioritize_keyed_listed(p_key text, p_id int, p_project_id int, p_new_priority int)
RETURNS TABLE (priorities text, chunks int, answer_id uuid, parts json, list json)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  old bigint;
  r record;
BEGIN
  IF current_setting('goods.claimed_key', true) IS DISTINCT FROM p_key THEN
    RETURN;
  END IF;
  old := goods_prepare_move(p_id, p_project_id, p_new_priority);
  SELECT * INTO r FROM goods_reprioritize_keyed(p_key, p_id, p_project_id, p_new_priority);
  IF NOT FOUND THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT r.priorities, r.chunks, r.answer_id, r.parts, goods_move_change(p_id, p_project_id, old);
END
$$;
