-- Reports read the daily rollups and a month's rows are found by partition, so an index on started_at
-- alone only cost every insert (the usage writer's PostgreSQL time per row, measured by ./switchboard
-- bench usage). Kept: the primary key (request id) and (tenant_id, started_at) for a tenant's rows.
DROP INDEX IF EXISTS usage_record_started_idx;
