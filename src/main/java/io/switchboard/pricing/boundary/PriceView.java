package io.switchboard.pricing.boundary;

import io.switchboard.pricing.entity.Money;
import io.switchboard.pricing.entity.Price;

import java.math.BigDecimal;
import java.time.Instant;

/** A price as the admin API shows it: amounts of the currency per million tokens, exact decimals. */
public record PriceView(long id, String model, Instant validFrom, String currency, BigDecimal inputPerMtok,
                        BigDecimal cachedInputPerMtok, BigDecimal outputPerMtok) {

    public static PriceView of(Price price, String currency) {
        return new PriceView(price.id(), price.model(), price.validFrom(), currency,
                Money.amount(price.inputMicrosPerMtok()), Money.amount(price.cachedMicrosPerMtok()),
                Money.amount(price.outputMicrosPerMtok()));
    }
}
