-- The audit outbox and the write operations. Each write is one function call: it locks, changes,
-- records its audit events in the outbox and returns the result, all in the caller's single
-- statement (one round trip from the edge). A function returns NULL when its target is missing.

CREATE TABLE goods_outbox (
  event_id   uuid PRIMARY KEY,
  -- Recording order: writes that touch the same goods are serialised by row locks, so this is
  -- also their commit order.
  seq        bigserial NOT NULL,
  payload    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  relayed_at timestamptz
);

CREATE INDEX goods_outbox_created_at_idx ON goods_outbox (created_at);

CREATE FUNCTION goods_iso_time(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE FUNCTION goods_json(g goods) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', g.id, 'projectId', g.project_id, 'name', g.name, 'description', g.description,
    'priority', g.priority, 'removed', g.removed, 'createdAt', goods_iso_time(g.created_at))
$$;

-- Records one audit event (the good's state after the change) and returns its payload.
CREATE FUNCTION goods_record_event(g goods) RETURNS json
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  event_id uuid := gen_random_uuid();
  payload json := json_build_object(
    'eventId', event_id, 'id', g.id, 'projectId', g.project_id, 'name', g.name,
    'description', g.description, 'priority', g.priority, 'removed', g.removed,
    'eventTime', goods_iso_time(clock_timestamp()));
BEGIN
  INSERT INTO goods_outbox (event_id, payload) VALUES (event_id, payload::jsonb);
  RETURN payload;
END
$$;

CREATE FUNCTION goods_create(p_project_id int, p_name text, p_description text)
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
  RETURN json_build_object('good', goods_json(g), 'events', json_build_array(goods_record_event(g)));
END
$$;

-- Locks a live good of the project; NULL when there is none.
CREATE FUNCTION goods_lock_live(p_id int, p_project_id int) RETURNS goods
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  g goods;
BEGIN
  SELECT * INTO g FROM goods
  WHERE id = p_id AND project_id = p_project_id AND NOT removed
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  RETURN g;
END
$$;

-- p_description NULL leaves the description unchanged.
CREATE FUNCTION goods_update(p_id int, p_project_id int, p_name text, p_description text)
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
  RETURN json_build_object('good', goods_json(g), 'events', json_build_array(goods_record_event(g)));
END
$$;

CREATE FUNCTION goods_remove(p_id int, p_project_id int)
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
    'events', json_build_array(goods_record_event(g)));
END
$$;

-- The target takes p_new_priority; every other good at or above it moves down by one. Removed
-- goods keep their place in the order, so they shift too. One UPDATE does both.
CREATE FUNCTION goods_reprioritize(p_id int, p_project_id int, p_new_priority int)
RETURNS json LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  target goods;
  moved goods[];
BEGIN
  PERFORM goods_lock_priorities();
  target := goods_lock_live(p_id, p_project_id);
  IF target.id IS NULL THEN
    RETURN NULL;
  END IF;
  WITH changed AS (
    UPDATE goods
    SET priority = CASE WHEN id = p_id AND project_id = p_project_id THEN p_new_priority
                        ELSE priority + 1 END
    WHERE priority >= p_new_priority OR (id = p_id AND project_id = p_project_id)
    RETURNING goods.*
  )
  SELECT array_agg(c ORDER BY c.priority) INTO moved FROM changed c;
  RETURN json_build_object(
    'priorities', (SELECT json_agg(json_build_object('id', m.id, 'priority', m.priority)) FROM unnest(moved) m),
    'events', (SELECT json_agg(goods_record_event(m)) FROM unnest(moved) m));
END
$$;
