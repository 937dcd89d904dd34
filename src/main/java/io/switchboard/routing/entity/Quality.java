package io.switchboard.routing.entity;

import java.util.Locale;

/** The quality a request asks for ({@code x-switchboard-quality} or {@code metadata.quality}); standard when it says nothing. */
public enum Quality {
    LOW, STANDARD, HIGH;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The value as written, or null when it is none of low, standard and high. */
    public static Quality of(String value) {
        return switch (value) {
            case "low" -> LOW;
            case "standard" -> STANDARD;
            case "high" -> HIGH;
            default -> null;
        };
    }
}
