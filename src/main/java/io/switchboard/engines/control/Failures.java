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

    /** An engine log's error lines (vLLM prints the root cause first, then "See root cause above"), else its last line. */
    static String rootCause(String log) {
        java.util.List<String> errors = log.strip().lines().filter(l -> l.contains("Error") || l.contains("ERROR"))
                .map(String::strip).toList();
        if (errors.isEmpty()) {
            java.util.List<String> lines = log.strip().lines().toList();
            return lines.get(lines.size() - 1).strip();
        }
        return String.join(" / ", errors.subList(Math.max(0, errors.size() - 3), errors.size()));
    }

    /** An outcome's handler whose own failure is logged: a future's whenComplete would swallow it, and the transition with it. */
    static <T> java.util.function.BiConsumer<T, Throwable> logged(java.util.function.BiConsumer<T, Throwable> handler) {
        return (value, failure) -> {
            try {
                handler.accept(value, failure);
            } catch (RuntimeException | Error bug) {
                java.util.logging.Logger.getLogger(ModelManager.class.getName())
                        .log(java.util.logging.Level.SEVERE, "An engine's state change failed", bug);
            }
        };
    }

    private static boolean hasText(String message) {
        return message != null && !message.isBlank();
    }
}
