package io.switchboard.pricing.control;

import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.pricing.entity.ModelPrice;
import io.switchboard.pricing.entity.Money;
import io.switchboard.pricing.entity.Price;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.math.BigDecimal;
import java.time.Instant;

/** Reads a price from an admin request (both the prices resource and the model catalog's fields), and the currency. */
@ApplicationScoped
public class Prices {

    /** At most 1,000,000 currency units per million tokens: far above any model, and every cost fits a long. */
    private static final BigDecimal MAX = new BigDecimal("1000000");

    @Inject
    @ConfigProperty(name = "switchboard.billing.currency", defaultValue = "USD")
    String currency;

    public String currency() {
        return currency;
    }

    /**
     * The price the named fields give. {@code current} fills a field left out (a PATCH that changes one
     * price); without it, input and output are required.
     */
    public ModelPrice fromRequest(JsonRequest request, String model, String validFromField, String inputField,
                                  String cachedField, String outputField, Price current) {
        Instant validFrom = request.has(validFromField) ? request.optionalInstant(validFromField) : null;
        Long input = micros(request, inputField, current == null ? null : current.inputMicrosPerMtok());
        Long output = micros(request, outputField, current == null ? null : current.outputMicrosPerMtok());
        Long cached = request.has(cachedField) ? micros(request, cachedField, null)
                : current == null ? null : current.cachedInputMicrosPerMtok();
        return new ModelPrice(model, validFrom == null ? Instant.now() : validFrom, input, cached, output);
    }

    private static Long micros(JsonRequest request, String field, Long current) {
        if (!request.has(field)) {
            if (current != null) return current;
            throw ApiException.invalid(field, "Missing required parameter: '" + field + "' (an amount per million tokens).");
        }
        BigDecimal amount = request.optionalDecimal(field, BigDecimal.ZERO, MAX, 6);
        if (amount == null) throw ApiException.invalid(field, "'" + field + "' must be an amount such as 0.15, not null.");
        return Money.micros(amount);
    }
}
