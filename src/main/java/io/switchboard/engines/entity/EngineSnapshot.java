package io.switchboard.engines.entity;

import java.time.Instant;

/**
 * One engine as a decision sees it: what the eviction policy chooses from, and what
 * {@code GET /admin/engines} shows. Immutable, taken under the manager's lock. {@code reloadMillis} is
 * what bringing it back after an eviction now would cost (a wake-up if it would sleep, else a load:
 * measured, else estimated from its size); {@code demandPerSecond} how often it was asked for lately.
 */
public record EngineSnapshot(String model, EngineState state, Integer gpu, long reservedBytes, int leases, int waiters,
                             Instant lastUsed, Instant stateSince, long loads, long evictions, long crashes,
                             Integer port, Long pid, boolean pinned, String lastError, long hostBytes,
                             long reloadMillis, double demandPerSecond) {
}
