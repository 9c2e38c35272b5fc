-- The ingest workers share the partitions of the event stream through leases: each worker
-- says it is alive (ingest_workers) and holds the partitions it consumes (ingest_leases) until
-- their lease runs out. A consumer group is a stream and a consumer name (`<stream>/<consumer>`):
-- the workers that consume the same partitions. Correctness does not rest on them: the write lock per slot keeps every
-- event once even while two workers briefly consume one partition. They spread the work, and a
-- dead worker's partitions are taken over once its leases run out.
CREATE TABLE ingest_workers (
  consumer_group text NOT NULL,
  worker text NOT NULL,
  seen_at timestamptz NOT NULL,
  PRIMARY KEY (consumer_group, worker)
);

CREATE TABLE ingest_leases (
  consumer_group text NOT NULL,
  partition int NOT NULL CHECK (partition >= 0),
  holder text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (consumer_group, partition)
);
