-- The audit log: one row per change of a good (see API.md, "Audit log"), written by the ingest
-- worker in batches. Runs on ClickHouse 18.16 (Debian) and on current releases.
--
-- Exactly once: the worker skips EventIds already present before each INSERT. EventId is also
-- the last column of the sorting key, so ReplacingMergeTree would collapse a repeated event
-- during merges as a second line of defence (queries may add FINAL to see that already).
-- EventTime has second precision: 18.16 has no DateTime64.
-- No transactions in ClickHouse: statements here must be safe to run twice (IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS goods_log (
  Id Int32,
  ProjectId Int32,
  Name String,
  Description String,
  Priority Int32,
  Removed UInt8,
  EventTime DateTime('UTC'),
  EventId UUID,
  IngestedAt DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(EventTime)
ORDER BY (Id, ProjectId, Name, EventId);
