package io.switchboard.pricing.entity;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Money in integer units of the configured currency, never floating point: prices and report amounts
 * in micro-units (10^-6), a request's exact cost in pico-units (10^-12, tokens times a price per
 * million tokens in micro-units). Rounding happens once, from picos to micros, half up, per report line.
 */
public final class Money {

    public static final long PICOS_PER_MICRO = 1_000_000L;
    private static final BigInteger PICOS_PER_MICRO_BIG = BigInteger.valueOf(PICOS_PER_MICRO);

    private Money() {
    }

    /** A decimal amount of the currency ("0.15") as micro-units; more than six decimals is the caller's error. */
    public static long micros(BigDecimal amount) {
        return amount.movePointRight(6).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
    }

    /** Micro-units as the decimal amount a person reads ("0.150000"), a dot before six decimals. */
    public static String decimal(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
    }

    public static BigDecimal amount(long micros) {
        return BigDecimal.valueOf(micros, 6);
    }

    /** An exact cost in picos, rounded half up to micro-units (costs are never negative). */
    public static long picosToMicros(BigInteger picos) {
        BigInteger[] split = picos.divideAndRemainder(PICOS_PER_MICRO_BIG);
        long micros = split[0].longValueExact();
        return split[1].longValueExact() * 2 >= PICOS_PER_MICRO ? micros + 1 : micros;
    }

    public static long picosToMicros(long picos) {
        return picosToMicros(BigInteger.valueOf(picos));
    }
}
