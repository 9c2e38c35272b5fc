-- A reprioritize's events carry the time they were recorded, after the move has locked every row
-- it changes, as the other writes' events do (0003, 0007). It used to take the time at its start,
-- before waiting for those locks: a concurrent write to one of the moved goods that committed
-- first then had the later time, and goods_log showed that good's two events in the wrong order.
-- The rest of the function is as in 0008.

CREATE OR REPLACE FUNCTION goods_reprioritize(p_id int, p_project_id int, p_new_priority int)
RETURNS TABLE (priorities text, chunks int, answer_id uuid, parts json)
-- Sorting a million moved goods (for the parts and the answer) in memory, not on disk.
LANGUAGE plpgsql VOLATILE SET work_mem = '256MB' AS $$
#variable_conflict use_column
DECLARE
  target goods;
  next_key bigint;
  prev_key bigint;
  new_key bigint;
  answer uuid := gen_random_uuid();
BEGIN
  PERFORM goods_lock_priorities();
  target := goods_lock_live(p_id, p_project_id);
  IF target.id IS NULL THEN
    RETURN;
  END IF;
  DELETE FROM goods_answer_chunks WHERE created_at < now() - interval '1 hour';
  LOOP
    next_key := goods_first_key_from(p_new_priority, p_id, p_project_id);
    IF next_key IS NULL THEN
      SELECT max(sort_key) INTO prev_key FROM goods WHERE NOT (id = p_id AND project_id = p_project_id);
      new_key := COALESCE(prev_key, 0) + goods_key_spacing();
      EXIT;
    END IF;
    SELECT sort_key INTO prev_key FROM goods
    WHERE sort_key < next_key AND NOT (id = p_id AND project_id = p_project_id) ORDER BY sort_key DESC LIMIT 1;
    IF prev_key IS NULL THEN
      new_key := next_key - goods_key_spacing();
      EXIT;
    ELSIF next_key - prev_key >= 2 THEN
      new_key := prev_key + (next_key - prev_key) / 2;
      EXIT;
    END IF;
    PERFORM goods_make_room(next_key, p_id, p_project_id);
  END LOOP;

  UPDATE goods SET priority = p_new_priority, sort_key = new_key
  WHERE id = p_id AND project_id = p_project_id
  RETURNING * INTO target;

  RETURN QUERY
  WITH shifted AS (
    UPDATE goods SET priority = priority + 1
    WHERE next_key IS NOT NULL AND sort_key >= next_key AND NOT (id = p_id AND project_id = p_project_id)
    RETURNING id, project_id, name, description, priority, removed
  ), moved AS (
    SELECT target.id, target.project_id, target.name, target.description, target.priority, target.removed
    UNION ALL
    SELECT * FROM shifted
  ), numbered AS (
    SELECT m.*, (row_number() OVER (PARTITION BY m.project_id ORDER BY m.priority) - 1) / goods_part_size() AS part
    FROM moved m
  ), recorded AS (
    INSERT INTO goods_outbox (event_id, payload)
    -- Taken here, once every moved row is locked: evaluated per part after the aggregate has
    -- read all of them, so any write that held one of those rows has committed before it.
    SELECT p.part_id, jsonb_build_object(
      'eventId', p.part_id, 'projectId', p.project_id, 'eventTime', goods_iso_time(clock_timestamp()),
      'kind', 'reprioritize', 'goods', p.goods)
    FROM (
      SELECT gen_random_uuid() AS part_id, n.project_id,
             jsonb_agg(jsonb_build_array(n.id, n.name, n.description, n.priority, n.removed) ORDER BY n.priority) AS goods
      FROM numbered n
      GROUP BY n.project_id, n.part
    ) p
    RETURNING payload
  ), numbered_changes AS (
    SELECT (row_number() OVER (ORDER BY m.priority) - 1) / goods_answer_chunk_size() AS chunk, m.id, m.priority FROM moved m
  ), answer_chunks AS (
    SELECT c.chunk, string_agg('{"id":' || c.id || ',"priority":' || c.priority || '}', ',' ORDER BY c.priority) AS items
    FROM numbered_changes c
    GROUP BY c.chunk
  ), stored AS (
    INSERT INTO goods_answer_chunks (answer_id, chunk, items)
    SELECT answer, a.chunk, a.items FROM answer_chunks a WHERE a.chunk > 0
  )
  SELECT
    (SELECT a.items FROM answer_chunks a WHERE a.chunk = 0),
    (SELECT count(*)::int FROM answer_chunks),
    answer,
    CASE WHEN (SELECT count(*) FROM moved) > goods_parts_returned_up_to() THEN '[]'::json
         ELSE (SELECT COALESCE(json_agg(r.payload), '[]') FROM recorded r) END;
END
$$;
