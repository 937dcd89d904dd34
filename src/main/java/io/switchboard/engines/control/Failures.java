package io.switchboard.engines.control;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Failures in words for engine events and clients' error messages. */
public final class Failures {

    private Failures() {
    }

    /**
     * The failure's message, or its type and the first message down its causes: the JDK HTTP client's
     * ConnectException often has no message at all, which read "wake-up failed: null".
     */
    public static String describe(Throwable failure) {
        Throwable top = failure;
        while ((top instanceof CompletionException || top instanceof ExecutionException) && top.getCause() != null) {
            top = top.getCause();
        }
        if (hasText(top.getMessage())) return top.getMessage();
        for (Throwable cause = top.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (hasText(cause.getMessage())) return top.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        if (top instanceof java.net.ConnectException) return "could not connect to the engine";
        return top.getClass().getSimpleName();
    }

    private static boolean hasText(String message) {
        return message != null && !message.isBlank();
    }
}
