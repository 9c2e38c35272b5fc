-- A time budget for every statement on this database, enforced by Postgres itself: a statement
-- that runs longer is cancelled and rolled back whole. So an API request that answers 500 wrote
-- nothing; the API's own deadline (DEADLINE_MS in functions/db/with-database.ts) is longer and
-- only catches a Postgres that stops answering. Sessions opened from now on get it (the pooler's
-- sessions included); the migration runner lifts it for its own session.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET statement_timeout = %L', current_database(), '4s');
END
$$;
