-- The event's time to the millisecond (EventTime has whole seconds: 18.16 has no DateTime64), so
-- that a good's history reads newest first even for changes within one second. Rows logged
-- before read EventTime's seconds.
ALTER TABLE goods_log ADD COLUMN EventTimeMs UInt64 DEFAULT toUInt64(EventTime) * 1000;
