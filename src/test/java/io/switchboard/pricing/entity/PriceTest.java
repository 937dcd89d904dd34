package io.switchboard.pricing.entity;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Money is integers: a price per million tokens in micro-units, a cost in pico-units, one rounding per line. */
class PriceTest {

    static final Price GPT_LIKE = new Price(1, "m", Instant.EPOCH, 150_000, 75_000L, 600_000); // 0.15 / 0.075 / 0.60

    @Test
    void aTokenAtPMicrosPerMillionCostsPPicos() {
        // 1,000 prompt tokens of which 400 cached, 250 completion tokens
        assertEquals(600 * 150_000L + 400 * 75_000L + 250 * 600_000L, GPT_LIKE.costPicos(1_000, 400, 250));
    }

    @Test
    void cachedTokensCostTheInputPriceWhereNoCachedPriceIsSet() {
        Price noCachedPrice = new Price(2, "m", Instant.EPOCH, 150_000, null, 600_000);
        assertEquals(noCachedPrice.costPicos(1_000, 0, 0), noCachedPrice.costPicos(1_000, 1_000, 0));
        assertEquals(150_000, noCachedPrice.cachedMicrosPerMtok());
    }

    @Test
    void moreCachedThanPromptTokensNeverMakesACostNegative() {
        assertEquals(10 * 75_000L, GPT_LIKE.costPicos(10, 50, 0));
    }

    @Test
    void aCostTooLargeForALongIsAnErrorNotAWrapAround() {
        Price absurd = new Price(3, "m", Instant.EPOCH, Long.MAX_VALUE / 2, null, 0);
        assertThrows(ArithmeticException.class, () -> absurd.costPicos(3, 0, 0));
    }

    @Test
    void picosRoundHalfUpToMicrosOnce() {
        assertEquals(0, Money.picosToMicros(499_999));
        assertEquals(1, Money.picosToMicros(500_000));
        assertEquals(2, Money.picosToMicros(1_500_000));
        assertEquals(12_345_679, Money.picosToMicros(new BigInteger("12345678500000")));
    }

    @Test
    void decimalsReadExactlyAndPrintWithADot() {
        assertEquals(150_000, Money.micros(new BigDecimal("0.15")));
        assertEquals(1, Money.micros(new BigDecimal("0.000001")));
        assertThrows(ArithmeticException.class, () -> Money.micros(new BigDecimal("0.0000001")));
        assertEquals("0.150000", Money.decimal(150_000));
        assertEquals("1234.000001", Money.decimal(1_234_000_001L));
    }

    @Test
    void aLinesCostIsTokensTimesTheUnitPriceExactlyWhateverTheRequestsWere() {
        // 1,000 requests of 7 prompt tokens: each costs a fraction of a micro-unit, the line does not drift
        long picos = 0;
        for (int i = 0; i < 1_000; i++) picos += GPT_LIKE.costPicos(7, 0, 0);
        assertEquals(Money.picosToMicros(GPT_LIKE.costPicos(7_000, 0, 0)), Money.picosToMicros(picos));
        assertEquals(1_050, Money.picosToMicros(picos)); // 7,000 tokens at 0.15 per million = 0.00105
    }
}
