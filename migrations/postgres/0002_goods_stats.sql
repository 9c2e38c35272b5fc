-- Counters for the list's meta (total, removed), kept by triggers so a list request does not
-- count the whole table. Inserts are already serialised by the priority lock, so the single
-- counter row adds no contention there.

CREATE TABLE goods_stats (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  total     bigint NOT NULL,
  removed   bigint NOT NULL
);

INSERT INTO goods_stats (total, removed)
SELECT count(*), count(*) FILTER (WHERE removed) FROM goods;

CREATE FUNCTION goods_count_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE goods_stats SET total = total + 1, removed = removed + NEW.removed::int;
  ELSIF TG_OP = 'UPDATE' THEN
    UPDATE goods_stats SET removed = removed + NEW.removed::int - OLD.removed::int;
  ELSE
    UPDATE goods_stats SET total = total - 1, removed = removed - OLD.removed::int;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER goods_count_inserts AFTER INSERT OR DELETE ON goods
FOR EACH ROW EXECUTE FUNCTION goods_count_rows();

CREATE TRIGGER goods_count_removals AFTER UPDATE OF removed ON goods
FOR EACH ROW WHEN (OLD.removed IS DISTINCT FROM NEW.removed) EXECUTE FUNCTION goods_count_rows();

CREATE FUNCTION goods_reset_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE goods_stats SET total = 0, removed = 0;
  RETURN NULL;
END
$$;

CREATE TRIGGER goods_count_truncates AFTER TRUNCATE ON goods
FOR EACH STATEMENT EXECUTE FUNCTION goods_reset_counts();
