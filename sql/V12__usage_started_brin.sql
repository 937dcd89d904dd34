-- The console's swap timeline reads the queue waits of the last hour (or a chosen window of up to a day)
-- from the rows. A BRIN index on started_at finds a window's rows by block range: rows arrive in time
-- order, so it is a few pages per partition and costs an insert almost nothing (the B-tree V5 dropped did).
CREATE INDEX usage_record_started_brin ON usage_record USING brin (started_at);
