package io.switchboard.admin.boundary;

import io.switchboard.catalog.entity.CatalogModel;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** A catalog model as the admin API shows it. */
public record ModelView(long id, String name, String engine, String modelId, BigDecimal gpuMemoryGib, int maxModelLen,
                        String quantization, List<String> extraArgs, boolean pinned, boolean enabled,
                        boolean sleepEnabled, String url, BigDecimal priceInputPerMtok, BigDecimal priceOutputPerMtok,
                        Instant createdAt, Instant updatedAt) {

    static ModelView of(CatalogModel model) {
        return new ModelView(model.getId(), model.getName(), model.getEngine().wireName(), model.getModelId(),
                model.getGpuMemoryGib(), model.getMaxModelLen(), model.getQuantization(), model.getExtraArgs(),
                model.isPinned(), model.isEnabled(), model.isSleepEnabled(), model.getUrl(),
                model.getPriceInputPerMtok(), model.getPriceOutputPerMtok(), model.getCreatedAt(), model.getUpdatedAt());
    }
}
