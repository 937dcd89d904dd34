-- What a replica's concurrency share holds in flight at its last renewal (about every second), so the console
-- can show a tenant's concurrent requests across replicas beside its limit. Only concurrency rows carry it.
ALTER TABLE quota_lease ADD COLUMN in_flight BIGINT;
