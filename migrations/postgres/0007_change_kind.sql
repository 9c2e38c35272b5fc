-- The audit event says what changed the good: its `kind` is create, update, remove or
-- reprioritize (one event for each good a reprioritize moved). The write functions are the same
-- as before (0003, and 0006 for goods_reprioritize) but for the kind they record.

CREATE FUNCTION goods_record_event(g goods, kind text) RETURNS json
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  event_id uuid := gen_random_uuid();
  payload json := json_build_object(
    'eventId', event_id, 'id', g.id, 'projectId', g.project_id, 'name', g.name,
    'description', g.description, 'priority', g.priority, 'removed', g.removed,
    'eventTime', goods_iso_time(clock_timestamp()), 'kind', kind);
BEGIN
  INSERT INTO goods_outbox (event_id, payload) VALUES (event_id, payload::jsonb);
  RETURN payload;
END
$$;

CREATE OR REPLACE FUNCTION goods_create(p_project_id int, p_name text, p_description text)
RETURNS json LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  g goods;
BEGIN
  PERFORM 1 FROM projects WHERE id = p_project_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO goods (project_id, name, description)
  VALUES (p_project_id, p_name, p_description)
  RETURNING * INTO g;
  RETURN json_build_object('good', goods_json(g), 'events', json_build_array(goods_record_event(g, 'create')));
END
$$;

CREATE OR REPLACE FUNCTION goods_update(p_id int, p_project_id int, p_name text, p_description text)
RETURNS json LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  g goods := goods_lock_live(p_id, p_project_id);
BEGIN
  IF g.id IS NULL THEN
    RETURN NULL;
  END IF;
  UPDATE goods SET name = p_name, description = COALESCE(p_description, description)
  WHERE id = p_id AND project_id = p_project_id
  RETURNING * INTO g;
  RETURN json_build_object('good', goods_json(g), 'events', json_build_array(goods_record_event(g, 'update')));
END
$$;

CREATE OR REPLACE FUNCTION goods_remove(p_id int, p_project_id int)
RETURNS json LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  g goods := goods_lock_live(p_id, p_project_id);
BEGIN
  IF g.id IS NULL THEN
    RETURN NULL;
  END IF;
  UPDATE goods SET removed = true
  WHERE id = p_id AND project_id = p_project_id
  RETURNING * INTO g;
  RETURN json_build_object(
    'good', json_build_object('id', g.id, 'campaignId', g.project_id, 'removed', g.removed),
    'events', json_build_array(goods_record_event(g, 'remove')));
END
$$;

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
    'events', (SELECT json_agg(goods_record_event(m, 'reprioritize')) FROM unnest(moved) m));
END
$$;

DROP FUNCTION goods_record_event(goods);
