-- Counters kept per statement, not per row: a row-level trigger rewrote the single goods_stats
-- row once per inserted or deleted row, and repeated updates of one row within a transaction
-- cost more each time (each walks the row's growing version chain), so a bulk INSERT ... SELECT
-- was quadratic. Statement-level triggers see the statement's rows as a transition table and
-- update the counters once. Flips of `removed` stay row-level: transition tables cannot go with
-- a column list, and a statement-level UPDATE trigger would copy every row a reprioritize moves.

DROP TRIGGER goods_count_inserts ON goods;

CREATE FUNCTION goods_count_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE goods_stats s
  SET total = s.total + c.total, removed = s.removed + c.removed
  FROM (SELECT count(*) AS total, count(*) FILTER (WHERE removed) AS removed FROM inserted) c;
  RETURN NULL;
END
$$;

CREATE FUNCTION goods_count_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE goods_stats s
  SET total = s.total - c.total, removed = s.removed - c.removed
  FROM (SELECT count(*) AS total, count(*) FILTER (WHERE removed) AS removed FROM deleted) c;
  RETURN NULL;
END
$$;

CREATE TRIGGER goods_count_inserts AFTER INSERT ON goods
REFERENCING NEW TABLE AS inserted
FOR EACH STATEMENT EXECUTE FUNCTION goods_count_inserted();

CREATE TRIGGER goods_count_deletes AFTER DELETE ON goods
REFERENCING OLD TABLE AS deleted
FOR EACH STATEMENT EXECUTE FUNCTION goods_count_deleted();

-- What is left of the row-level counter: flips of `removed` (its only trigger now).
CREATE OR REPLACE FUNCTION goods_count_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE goods_stats SET removed = removed + NEW.removed::int - OLD.removed::int;
  RETURN NULL;
END
$$;
