package io.switchboard.admin.boundary;

import io.switchboard.gateway.entity.ApiException;

/** The admin API's query parameters read one way: absent is the default, anything else outside its range a 400 naming it. */
final class QueryParams {

    private QueryParams() {
    }

    static int intInRange(String value, String param, int absent, int min, int max) {
        if (value == null || value.isBlank()) return absent;
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // as out of range
        }
        throw ApiException.invalid(param, "'" + param + "' must be a number from " + min + " to " + max + ".");
    }
}
