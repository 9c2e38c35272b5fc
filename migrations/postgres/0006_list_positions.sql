-- The list's order is (priority, id), and `offset` is a 1-based position in it. OFFSET walks
-- every earlier row, so a deep page cost O(offset). Each good now carries its position in that
-- order, kept dense by the statements that already change the order: a create appends (max + 1,
-- under the priority lock, like its priority), a reprioritize moves its target and shifts the
-- goods in between, and a hard delete (never done by the API) renumbers. A page is then an index
-- range scan wherever it starts. Priorities change only through goods_reprioritize.

ALTER TABLE goods ADD COLUMN position int;
UPDATE goods g SET position = r.n
FROM (SELECT id, project_id, row_number() OVER (ORDER BY priority, id) AS n FROM goods) r
WHERE g.id = r.id AND g.project_id = r.project_id;
ALTER TABLE goods ALTER COLUMN position SET NOT NULL;
CREATE INDEX goods_position_idx ON goods (position);

CREATE OR REPLACE FUNCTION goods_assign_priority() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM goods_lock_priorities();
  NEW.priority := COALESCE((SELECT max(priority) FROM goods), 0) + 1;
  NEW.position := COALESCE((SELECT max(position) FROM goods), 0) + 1;
  RETURN NEW;
END
$$;

CREATE FUNCTION goods_renumber() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE goods g SET position = r.n
  FROM (SELECT id, project_id, row_number() OVER (ORDER BY position) AS n FROM goods) r
  WHERE g.id = r.id AND g.project_id = r.project_id AND g.position <> r.n;
  RETURN NULL;
END
$$;

CREATE TRIGGER goods_renumber_after_delete AFTER DELETE ON goods
FOR EACH STATEMENT EXECUTE FUNCTION goods_renumber();

-- The target takes p_new_priority; every other good at or above it moves down by one. Removed
-- goods keep their place in the order, so they shift too. The target's new position is just
-- before the first other good at or above p_new_priority (or last); goods after its old position
-- move up by one, goods at or above p_new_priority down by one. The answer and the events list
-- the goods whose priority changed, and the target.
CREATE OR REPLACE FUNCTION goods_reprioritize(p_id int, p_project_id int, p_new_priority int)
RETURNS json LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  target goods;
  next_position int;
  new_position int;
  moved goods[];
BEGIN
  PERFORM goods_lock_priorities();
  target := goods_lock_live(p_id, p_project_id);
  IF target.id IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT position INTO next_position FROM goods
  WHERE priority >= p_new_priority AND NOT (id = p_id AND project_id = p_project_id)
  ORDER BY priority LIMIT 1;
  new_position := CASE WHEN next_position IS NULL THEN (SELECT total FROM goods_stats)
                       ELSE next_position - (next_position > target.position)::int END;
  WITH changed AS (
    UPDATE goods
    SET priority = CASE WHEN id = p_id AND project_id = p_project_id THEN p_new_priority
                        ELSE priority + (priority >= p_new_priority)::int END,
        position = CASE WHEN id = p_id AND project_id = p_project_id THEN new_position
                        ELSE position - (position > target.position)::int + (priority >= p_new_priority)::int END
    WHERE priority >= p_new_priority OR position > target.position OR (id = p_id AND project_id = p_project_id)
    RETURNING goods.*
  )
  SELECT array_agg(c ORDER BY c.priority) INTO moved FROM changed c WHERE c.priority >= p_new_priority;
  RETURN json_build_object(
    'priorities', (SELECT json_agg(json_build_object('id', m.id, 'priority', m.priority)) FROM unnest(moved) m),
    'events', (SELECT json_agg(goods_record_event(m)) FROM unnest(moved) m));
END
$$;
