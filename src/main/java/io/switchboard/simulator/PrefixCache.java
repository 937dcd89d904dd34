package io.switchboard.simulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * vLLM's automatic prefix caching, as far as usage reports it: prompts are cut into blocks of
 * {@code --block-size} tokens, each block known by the hash of everything up to its end, and the
 * {@code cached_tokens} of a request are the full blocks at its start seen before. Bounded by the KV cache
 * (least recently used blocks go first), as the engine's own block pool is.
 */
final class PrefixCache {

    private final int blockSize;
    private final Map<Long, Boolean> blocks;

    PrefixCache(int blockSize, long capacityTokens) {
        this.blockSize = blockSize;
        int capacity = (int) Math.max(16, Math.min(1_000_000, capacityTokens / blockSize));
        this.blocks = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The tokens of the first prompt that were cached already; every full block of each prompt is cached from now on. */
    int lookUpAndAdd(List<String> prompts) {
        int cached = -1;
        for (String prompt : prompts) {
            List<Integer> tokens = Tokenizer.encode(prompt);
            long hash = 17;
            boolean hit = true;
            int hits = 0;
            synchronized (blocks) {
                for (int end = blockSize; end <= tokens.size(); end += blockSize) {
                    for (int i = end - blockSize; i < end; i++) hash = hash * 1_000_003L + tokens.get(i);
                    if (hit && blocks.get(hash) != null) hits += blockSize; else hit = false;
                    blocks.put(hash, Boolean.TRUE);
                }
            }
            if (cached < 0) cached = hits;
        }
        return Math.max(cached, 0);
    }
}
