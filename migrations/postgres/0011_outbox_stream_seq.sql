-- Where an event's copy sits in the JetStream stream (its sequence there), as the relay last saw
-- it published or found it stored. The relay publishes an event again only once that copy is
-- gone (taken without reaching goods_log, or the stream was recreated), so the copies of an event
-- stay bounded however long ClickHouse or the worker is away.
ALTER TABLE goods_outbox ADD COLUMN stream_seq bigint;
