-- Reprioritize at a million goods. A reprioritize to priority 1 changes the priority of every
-- good. When a changed column is indexed, every changed row also costs a new entry in each index
-- of the table: about 12 µs a row here, 12 s for a million. A heap-only (HOT) update skips the
-- indexes when no indexed column changes and the row's page has room: about 2 µs a row. So:
--
-- * The list's order lives in `sort_key`, which orders the goods exactly as (priority, id) does.
--   A create appends (the last key + KEY_SPACING); a reprioritize gives its target a key between
--   its new neighbours and changes no other key (but for a few neighbours when two keys leave no
--   room between them). The goods it shifts change only `priority`, which no index covers.
-- * Deep pages count goods per block of keys (goods_key_blocks) rather than keep a dense position
--   that every move renumbers: a page at position k sums the block counts (about 1,000 blocks per
--   million goods) and then skips fewer than a block's goods along the key index.
-- * Half of each page is left free (fillfactor 50), so a page has room for a new version of each
--   of its rows. Where a page is full, Postgres falls back to an ordinary update: slower, as right.
--
-- Priorities rise with sort_key, so "the first good whose priority is at least p" is a binary
-- search over keys (goods_first_key_from), and max(priority) is the priority of the last key.

ALTER TABLE goods SET (fillfactor = 50);
ALTER TABLE goods ADD COLUMN sort_key bigint;
UPDATE goods SET sort_key = position::bigint << 32;
ALTER TABLE goods ALTER COLUMN sort_key SET NOT NULL;
CREATE INDEX goods_sort_key_idx ON goods (sort_key);
DROP TRIGGER goods_renumber_after_delete ON goods;
DROP FUNCTION goods_renumber();
ALTER TABLE goods DROP COLUMN position;
DROP INDEX goods_priority_idx;

-- The gap a create leaves after the last key, and the width of a block (1,024 appended goods).
CREATE FUNCTION goods_key_spacing() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT 4294967296::bigint $$;
CREATE FUNCTION goods_key_block(k bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT k >> 42 $$;

CREATE TABLE goods_key_blocks (
  block bigint PRIMARY KEY,
  goods int NOT NULL
);
INSERT INTO goods_key_blocks SELECT goods_key_block(sort_key), count(*) FROM goods GROUP BY 1;

CREATE FUNCTION goods_count_in_blocks(counts goods_key_blocks[]) RETURNS void
LANGUAGE sql VOLATILE AS $$
  INSERT INTO goods_key_blocks AS b (block, goods)
  SELECT c.block, sum(c.goods) FROM unnest(counts) c GROUP BY c.block
  ON CONFLICT (block) DO UPDATE SET goods = b.goods + EXCLUDED.goods
$$;

-- Counters and blocks, per statement (see 0005).
CREATE OR REPLACE FUNCTION goods_count_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE goods_stats s
  SET total = s.total + c.total, removed = s.removed + c.removed
  FROM (SELECT count(*) AS total, count(*) FILTER (WHERE removed) AS removed FROM inserted) c;
  PERFORM goods_count_in_blocks(ARRAY(SELECT (goods_key_block(sort_key), 1)::goods_key_blocks FROM inserted));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION goods_count_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE goods_stats s
  SET total = s.total - c.total, removed = s.removed - c.removed
  FROM (SELECT count(*) AS total, count(*) FILTER (WHERE removed) AS removed FROM deleted) c;
  PERFORM goods_count_in_blocks(ARRAY(SELECT (goods_key_block(sort_key), -1)::goods_key_blocks FROM deleted));
  RETURN NULL;
END
$$;

CREATE FUNCTION goods_count_rekeyed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM goods_count_in_blocks(ARRAY[(goods_key_block(OLD.sort_key), -1)::goods_key_blocks,
                                      (goods_key_block(NEW.sort_key), 1)::goods_key_blocks]);
  RETURN NULL;
END
$$;

CREATE TRIGGER goods_count_rekeys AFTER UPDATE OF sort_key ON goods
FOR EACH ROW WHEN (goods_key_block(OLD.sort_key) <> goods_key_block(NEW.sort_key))
EXECUTE FUNCTION goods_count_rekeyed();

CREATE OR REPLACE FUNCTION goods_reset_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE goods_stats SET total = 0, removed = 0;
  DELETE FROM goods_key_blocks;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION goods_assign_priority() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  last goods;
BEGIN
  PERFORM goods_lock_priorities();
  SELECT * INTO last FROM goods ORDER BY sort_key DESC LIMIT 1;
  NEW.priority := COALESCE(last.priority, 0) + 1;
  NEW.sort_key := COALESCE(last.sort_key, 0) + goods_key_spacing();
  RETURN NEW;
END
$$;

-- The page of `p_limit` goods from 1-based position `p_offset`, in (priority, id) order.
CREATE FUNCTION goods_page(p_limit int, p_offset int) RETURNS SETOF goods
LANGUAGE sql STABLE AS $$
  WITH counted AS (
    SELECT block, sum(goods) OVER (ORDER BY block) - goods AS before FROM goods_key_blocks WHERE goods > 0
  ), first_block AS (
    SELECT block, before FROM counted WHERE before < p_offset ORDER BY block DESC LIMIT 1
  )
  SELECT g.* FROM first_block f,
    LATERAL (SELECT * FROM goods WHERE sort_key >= f.block << 42 ORDER BY sort_key
             OFFSET p_offset - 1 - f.before LIMIT p_limit) g
$$;

-- The smallest key of a good other than the excluded one whose priority is at least p_priority;
-- NULL when there is none. Priorities rise with keys: a binary search, at most 64 index probes.
CREATE FUNCTION goods_first_key_from(p_priority int, p_id int, p_project_id int) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
  lo bigint;
  hi bigint;
  mid bigint;
  found goods;
BEGIN
  SELECT * INTO found FROM goods WHERE NOT (id = p_id AND project_id = p_project_id) ORDER BY sort_key DESC LIMIT 1;
  IF found.id IS NULL OR found.priority < p_priority THEN
    RETURN NULL;
  END IF;
  hi := found.sort_key;
  SELECT * INTO found FROM goods WHERE NOT (id = p_id AND project_id = p_project_id) ORDER BY sort_key LIMIT 1;
  IF found.priority >= p_priority THEN
    RETURN found.sort_key;
  END IF;
  lo := found.sort_key;
  -- The good at or after lo falls short, the good at or after hi does not.
  WHILE hi - lo > 1 LOOP
    mid := lo + (hi - lo) / 2;
    SELECT * INTO found FROM goods
    WHERE sort_key >= mid AND NOT (id = p_id AND project_id = p_project_id) ORDER BY sort_key LIMIT 1;
    IF found.priority >= p_priority THEN hi := mid; ELSE lo := mid; END IF;
  END LOOP;
  SELECT sort_key INTO hi FROM goods
  WHERE sort_key >= hi AND NOT (id = p_id AND project_id = p_project_id) ORDER BY sort_key LIMIT 1;
  RETURN hi;
END
$$;

-- Spreads the keys around the boundary `p_next` evenly, so that there is room before it: the
-- nearest goods on both sides, twice as many each time until their key range has room for them
-- all with gaps of at least four.
CREATE FUNCTION goods_make_room(p_next bigint, p_id int, p_project_id int) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  width bigint := 8;
  lo bigint;
  hi bigint;
  below int;
  above int;
BEGIN
  LOOP
    SELECT min(sort_key), count(*) INTO lo, below FROM (
      SELECT sort_key FROM goods WHERE sort_key < p_next AND NOT (id = p_id AND project_id = p_project_id)
      ORDER BY sort_key DESC LIMIT width) s;
    SELECT max(sort_key), count(*) INTO hi, above FROM (
      SELECT sort_key FROM goods WHERE sort_key >= p_next AND NOT (id = p_id AND project_id = p_project_id)
      ORDER BY sort_key LIMIT width) s;
    -- A side with fewer goods than `width` reaches the end of the order, where keys are free.
    IF below < width THEN lo := COALESCE(lo, p_next) - width * goods_key_spacing(); END IF;
    IF above < width THEN hi := COALESCE(hi, p_next) + width * goods_key_spacing(); END IF;
    EXIT WHEN (hi - lo) / (below + above + 1) >= 4;
    width := width * 2;
  END LOOP;
  UPDATE goods g SET sort_key = lo + r.n * ((hi - lo) / (below + above + 1))
  FROM (SELECT id, project_id, row_number() OVER (ORDER BY sort_key) AS n FROM goods
        WHERE sort_key BETWEEN lo AND hi AND NOT (id = p_id AND project_id = p_project_id)) r
  WHERE g.id = r.id AND g.project_id = r.project_id;
END
$$;

-- The moved goods are recorded 100 to an outbox row (a part, shared/event.ts): the ingest worker
-- expands a part into one goods_log row per good. 100 goods of at most 255 + 1,000 characters
-- stay under NATS's default 1 MB message limit even when every character is escaped.
CREATE FUNCTION goods_part_size() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 100 $$;
-- Changes per chunk of the answer: about 100 KB, below the size from which V8 places a string or
-- buffer among its large objects, which only a full collection frees. Smaller pieces die young.
CREATE FUNCTION goods_answer_chunk_size() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 3000 $$;

-- The chunks of a reprioritize's answer after its first, for the edge to take a few at a time
-- after the commit: the edge holds a few chunks, not the whole answer (32 MB for a million
-- changes). Chunks are deleted as they are taken; chunks an edge never took (it died) go after
-- an hour.
CREATE TABLE goods_answer_chunks (
  answer_id  uuid NOT NULL,
  chunk      int NOT NULL,
  items      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (answer_id, chunk)
);
CREATE INDEX goods_answer_chunks_created_at_idx ON goods_answer_chunks (created_at);

-- Takes chunks p_from .. p_to of an answer, one row each (in any order: the caller sorts).
CREATE FUNCTION goods_take_answer_chunks(p_answer_id uuid, p_from int, p_to int)
RETURNS TABLE (chunk int, items text)
LANGUAGE sql VOLATILE AS $$
  DELETE FROM goods_answer_chunks c WHERE c.answer_id = p_answer_id AND c.chunk BETWEEN p_from AND p_to
  RETURNING c.chunk, c.items
$$;
-- Up to this many moved goods the edge publishes the parts itself; above it the relay does.
CREATE FUNCTION goods_parts_returned_up_to() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1000 $$;

DROP FUNCTION goods_reprioritize(int, int, int);

-- The target takes p_new_priority; every other good at or above it moves down by one (removed
-- goods keep their place in the order, so they shift too). Returns no row when the target is
-- missing. Else one row: `priorities`, the first chunk of the answer's list of changes (JSON
-- items without the brackets, built here once and never parsed by the edge); `chunks`, how many
-- there are, the rest stored under `answer_id` in goods_answer_chunks; and `parts`, the audit
-- parts for the edge to publish ('[]' when they are many).
CREATE FUNCTION goods_reprioritize(p_id int, p_project_id int, p_new_priority int)
RETURNS TABLE (priorities text, chunks int, answer_id uuid, parts json)
-- Sorting a million moved goods (for the parts and the answer) in memory, not on disk.
LANGUAGE plpgsql VOLATILE SET work_mem = '256MB' AS $$
#variable_conflict use_column
DECLARE
  target goods;
  next_key bigint;
  prev_key bigint;
  new_key bigint;
  event_time text := goods_iso_time(clock_timestamp());
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
    SELECT p.part_id, jsonb_build_object(
      'eventId', p.part_id, 'projectId', p.project_id, 'eventTime', event_time, 'kind', 'reprioritize', 'goods', p.goods)
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
