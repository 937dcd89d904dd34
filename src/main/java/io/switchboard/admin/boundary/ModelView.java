package io.switchboard.admin.boundary;

import io.switchboard.catalog.entity.CatalogModel;
import io.switchboard.pricing.entity.Money;
import io.switchboard.pricing.entity.Price;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A catalog model as the admin API shows it, with the price in force now (null prices: unpriced;
 * the history is at {@code /admin/models/{name}/prices}).
 */
public record ModelView(long id, String name, String engine, String modelId, BigDecimal gpuMemoryGib, int maxModelLen,
                        String quantization, List<String> extraArgs, boolean pinned, boolean enabled,
                        boolean sleepEnabled, String task, String url, BigDecimal priceInputPerMtok,
                        BigDecimal priceCachedInputPerMtok, BigDecimal priceOutputPerMtok, Instant priceValidFrom,
                        Instant createdAt, Instant updatedAt) {

    static ModelView of(CatalogModel model, Optional<Price> price) {
        Price p = price.orElse(null);
        return new ModelView(model.getId(), model.getName(), model.getEngine().wireName(), model.getModelId(),
                model.getGpuMemoryGib(), model.getMaxModelLen(), model.getQuantization(), model.getExtraArgs(),
                model.isPinned(), model.isEnabled(), model.isSleepEnabled(), model.getTask(), model.getUrl(),
                p == null ? null : Money.amount(p.inputMicrosPerMtok()),
                p == null ? null : Money.amount(p.cachedMicrosPerMtok()),
                p == null ? null : Money.amount(p.outputMicrosPerMtok()),
                p == null ? null : p.validFrom(), model.getCreatedAt(), model.getUpdatedAt());
    }
}
