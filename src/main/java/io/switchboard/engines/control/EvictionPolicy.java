package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineSnapshot;

import java.util.List;

/**
 * Which engines to evict to free at least {@code bytesNeeded} on one GPU. A pure decision over
 * snapshots of the candidates (all idle and evictable); answers no victims when the candidates
 * together cannot free enough.
 */
public interface EvictionPolicy {

    List<EngineSnapshot> chooseVictims(List<EngineSnapshot> candidates, long bytesNeeded, java.time.Instant now);
}
