-- The edge publishes the parts of moves of up to 10,000 goods itself, as it publishes single
-- writes: such a move's events reach goods_log as fast as theirs, not after the relay's wait.
-- That is about a hundred parts and a megabyte of JSON in the Worker, which it holds and sends
-- without strain. The parts of larger moves (up to millions of goods) stay in the outbox for
-- the relay, which publishes them in pages and so never holds a whole move.
CREATE OR REPLACE FUNCTION goods_parts_returned_up_to() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 10000 $$;
