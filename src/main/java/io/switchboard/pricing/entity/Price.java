package io.switchboard.pricing.entity;

import java.time.Instant;

/**
 * What a model's tokens cost from {@code validFrom} on, in micro-units of the currency per million
 * tokens. Cached prompt tokens cost {@code cachedInputMicrosPerMtok}, or the input price where none is set.
 */
public record Price(long id, String model, Instant validFrom, long inputMicrosPerMtok, Long cachedInputMicrosPerMtok,
                    long outputMicrosPerMtok) {

    public long cachedMicrosPerMtok() {
        return cachedInputMicrosPerMtok == null ? inputMicrosPerMtok : cachedInputMicrosPerMtok;
    }

    /**
     * The exact cost in pico-units: a token at p micro-units per million tokens costs p pico-units.
     * {@code promptTokens} includes the cached ones, as the engine's usage counts them.
     */
    public long costPicos(long promptTokens, long cachedTokens, long completionTokens) {
        long cached = Math.min(cachedTokens, promptTokens);
        return Math.addExact(Math.addExact(
                        Math.multiplyExact(promptTokens - cached, inputMicrosPerMtok),
                        Math.multiplyExact(cached, cachedMicrosPerMtok())),
                Math.multiplyExact(completionTokens, outputMicrosPerMtok));
    }
}
