package io.switchboard.catalog.entity;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** An immutable snapshot of one catalog row, safe to share between threads and cache. */
public record ModelSpec(String name, EngineType engine, String modelId, BigDecimal gpuMemoryGib, int maxModelLen,
                        String quantization, List<String> extraArgs, boolean pinned, boolean enabled,
                        boolean sleepEnabled, String url, Instant createdAt) {

    public static ModelSpec of(CatalogModel model) {
        return new ModelSpec(model.getName(), model.getEngine(), model.getModelId(), model.getGpuMemoryGib(),
                model.getMaxModelLen(), model.getQuantization(), model.getExtraArgs(), model.isPinned(),
                model.isEnabled(), model.isSleepEnabled(), model.getUrl(), model.getCreatedAt());
    }
}
