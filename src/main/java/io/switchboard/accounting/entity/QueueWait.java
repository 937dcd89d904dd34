package io.switchboard.accounting.entity;

import java.time.Instant;

/**
 * How long one model's requests waited for an engine (for a lease, a load included) in one time bucket:
 * all its requests, those that waited at all, and the longest and mean wait of those.
 */
public record QueueWait(String model, Instant bucketStart, long requests, long waited, long maxQueueMs, long meanQueueMs) {
}
