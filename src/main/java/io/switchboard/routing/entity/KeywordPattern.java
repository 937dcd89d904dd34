package io.switchboard.routing.entity;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A rule's keyword pattern, found in the last user message. Most are words and alternatives of words
 * ({@code (?i)\b(refactor|rewrite)\b}): those are matched with {@code indexOf} and Java's own word-boundary
 * rule, exactly as the regular expression would match, at a small fraction of its cost (forty patterns over
 * 8 KiB took about 3 ms through {@link java.util.regex}, 40 µs this way). Anything else goes to the regex engine.
 */
public final class KeywordPattern {

    private final Pattern regex;
    private final List<Literal> literals; // null: use the regex
    private final boolean ignoreCase;

    private record Literal(String text, boolean boundaryBefore, boolean boundaryAfter) {
    }

    private KeywordPattern(Pattern regex, List<Literal> literals, boolean ignoreCase) {
        this.regex = regex;
        this.literals = literals;
        this.ignoreCase = ignoreCase;
    }

    /** Compiles {@code source}; a {@link java.util.regex.PatternSyntaxException} when it is no regular expression. */
    public static KeywordPattern compile(String source) {
        Pattern regex = Pattern.compile(source);
        boolean ignoreCase = source.startsWith("(?i)");
        List<Literal> literals = literals(ignoreCase ? source.substring(4) : source);
        if (literals != null && ignoreCase) literals = literals.stream()
                .map(l -> new Literal(asciiLower(l.text()), l.boundaryBefore(), l.boundaryAfter())).toList();
        return new KeywordPattern(regex, literals, ignoreCase);
    }

    public String pattern() {
        return regex.pattern();
    }

    /** Whether it is matched without the regex engine. */
    public boolean literal() {
        return literals != null;
    }

    /** Whether the pattern is found in the request's window (no lambda per call: forty rules would make forty). */
    public boolean foundIn(RequestTraits request) {
        if (literals == null) return regex.matcher(request.window()).find();
        return foundIn(ignoreCase ? request.loweredWindow() : request.window());
    }

    /** Whether the pattern is found in {@code text}, already in lower case where the pattern ignores case. */
    public boolean foundIn(String text, java.util.function.Supplier<String> lowered) {
        if (literals == null) return regex.matcher(text).find();
        return foundIn(ignoreCase ? lowered.get() : text);
    }

    private boolean foundIn(String haystack) {
        for (int i = 0; i < literals.size(); i++) { // by index: no iterator per call
            Literal literal = literals.get(i);
            for (int at = haystack.indexOf(literal.text()); at >= 0; at = haystack.indexOf(literal.text(), at + 1)) {
                if ((!literal.boundaryBefore() || boundary(haystack, at))
                        && (!literal.boundaryAfter() || boundary(haystack, at + literal.text().length()))) return true;
            }
        }
        return false;
    }

    /** ASCII letters in lower case, as {@code (?i)} without UNICODE_CASE compares them; nothing else changes. */
    public static String asciiLower(String text) {
        char[] chars = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (chars == null) chars = text.toCharArray();
                chars[i] = (char) (c + 32);
            }
        }
        return chars == null ? text : new String(chars);
    }

    /** Java's \b: a word character on one side and not on the other (letters, digits, underscore). */
    private static boolean boundary(String text, int at) {
        boolean before = at > 0 && word(text.charAt(at - 1));
        boolean after = at < text.length() && word(text.charAt(at));
        return before != after;
    }

    private static boolean word(char c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }

    /**
     * The literals of a pattern of the form {@code [\b]word[\b]}, {@code [\b](?:a|b)[\b]} or {@code [\b](a|b)[\b]},
     * or of several such branches joined by {@code |}; null for anything else.
     */
    static List<Literal> literals(String source) {
        List<Literal> all = new ArrayList<>();
        for (String branch : splitTopLevel(source)) {
            if (branch == null) return null;
            boolean before = branch.startsWith("\\b");
            if (before) branch = branch.substring(2);
            boolean after = branch.endsWith("\\b") && !branch.endsWith("\\\\b");
            if (after) branch = branch.substring(0, branch.length() - 2);
            List<String> words;
            if (branch.startsWith("(?:") && branch.endsWith(")")) words = plainAlternatives(branch.substring(3, branch.length() - 1));
            else if (branch.startsWith("(") && branch.endsWith(")") && !branch.startsWith("(?")) words = plainAlternatives(branch.substring(1, branch.length() - 1));
            else words = plain(branch) ? List.of(branch) : null;
            if (words == null) return null;
            for (String word : words) all.add(new Literal(word, before, after));
        }
        return all.isEmpty() ? null : all;
    }

    /** The branches split at top-level |; a null element where parentheses do not balance. */
    private static List<String> splitTopLevel(String source) {
        List<String> branches = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '\\') i++;
            else if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == '|' && depth == 0) {
                branches.add(source.substring(start, i));
                start = i + 1;
            }
            if (depth < 0) return java.util.Collections.singletonList(null);
        }
        branches.add(source.substring(start));
        return branches;
    }

    private static List<String> plainAlternatives(String inside) {
        List<String> words = new ArrayList<>();
        for (String word : inside.split("\\|", -1)) {
            if (!plain(word)) return null;
            words.add(word);
        }
        return words;
    }

    /** Letters, digits, spaces, underscores and hyphens only: no character a regular expression treats specially. */
    private static boolean plain(String word) {
        if (word.isEmpty()) return false;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == ' ' || c == '_' || c == '-'))) return false;
        }
        return true;
    }
}
