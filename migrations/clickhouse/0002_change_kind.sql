-- What changed the good: create, update, remove or reprioritize (one row per moved good).
-- Rows logged before this column existed read ''. 18.16 has no ADD COLUMN IF NOT EXISTS: the
-- migrator skips an ADD COLUMN whose column is already there, so a re-run is safe.
ALTER TABLE goods_log ADD COLUMN Kind String DEFAULT '';
