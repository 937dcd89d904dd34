package io.switchboard.catalog.entity;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * An immutable snapshot of one catalog row, safe to share between threads and cache. Its {@code task} says
 * what it serves: {@link #GENERATE} (chat, completions, responses, messages) or {@link #EMBED} (embeddings).
 */
public record ModelSpec(String name, EngineType engine, String modelId, BigDecimal gpuMemoryGib, int maxModelLen,
                        String quantization, List<String> extraArgs, boolean pinned, boolean enabled,
                        boolean sleepEnabled, String url, Instant createdAt, String task) {

    public static final String GENERATE = "generate";
    public static final String EMBED = "embed";

    /** A generative model's snapshot (tests and benchmarks build these). */
    public ModelSpec(String name, EngineType engine, String modelId, BigDecimal gpuMemoryGib, int maxModelLen,
                     String quantization, List<String> extraArgs, boolean pinned, boolean enabled,
                     boolean sleepEnabled, String url, Instant createdAt) {
        this(name, engine, modelId, gpuMemoryGib, maxModelLen, quantization, extraArgs, pinned, enabled, sleepEnabled,
                url, createdAt, GENERATE);
    }

    public static ModelSpec of(CatalogModel model) {
        return new ModelSpec(model.getName(), model.getEngine(), model.getModelId(), model.getGpuMemoryGib(),
                model.getMaxModelLen(), model.getQuantization(), model.getExtraArgs(), model.isPinned(),
                model.isEnabled(), model.isSleepEnabled(), model.getUrl(), model.getCreatedAt(), model.getTask());
    }

    public boolean embeds() {
        return EMBED.equals(task);
    }
}
