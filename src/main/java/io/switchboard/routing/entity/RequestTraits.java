package io.switchboard.routing.entity;

import java.util.Set;
import java.util.function.Function;

/**
 * What the classifier knows about one request: the endpoint, the number of messages, an estimate of its
 * prompt tokens, the quality it asked for, and a bounded window of its last user message (the code
 * languages in it are found only when a rule asks, and once).
 */
public final class RequestTraits {

    private final String endpoint;
    private final int messages;
    private final long promptTokens;
    private final long promptTokensAtLeast;
    private final long maxTokens;
    private final Quality quality;
    private final String window;
    private final Function<String, Set<String>> languageReader;
    private Set<String> languages;
    private String lowered;

    /**
     * {@code promptTokens}: the estimate; {@code promptTokensAtLeast}: what the prompt has even where its tokens are
     * long; {@code maxTokens}: what the request asked for at most, -1 when it did not say.
     */
    public RequestTraits(String endpoint, int messages, long promptTokens, long promptTokensAtLeast, long maxTokens,
                         Quality quality, String window, Function<String, Set<String>> languageReader) {
        this.endpoint = endpoint;
        this.messages = messages;
        this.promptTokens = promptTokens;
        this.promptTokensAtLeast = promptTokensAtLeast;
        this.maxTokens = maxTokens;
        this.quality = quality;
        this.window = window;
        this.languageReader = languageReader;
    }

    public String endpoint() { return endpoint; }
    public int messages() { return messages; }
    public long promptTokens() { return promptTokens; }
    public long promptTokensAtLeast() { return promptTokensAtLeast; }
    public long maxTokens() { return maxTokens; }
    public Quality quality() { return quality; }
    /** The last user message (or prompt), capped: its head and its tail where it is long. */
    public String window() { return window; }

    /** The window with its ASCII letters in lower case, for case-insensitive keywords; made once, when first asked. */
    public String loweredWindow() {
        String text = lowered;
        if (text == null) lowered = text = KeywordPattern.asciiLower(window);
        return text;
    }

    /** The code languages the window shows, by their canonical names (python, rust, ...). */
    public Set<String> languages() {
        Set<String> found = languages;
        if (found == null) languages = found = languageReader.apply(window);
        return found;
    }
}
