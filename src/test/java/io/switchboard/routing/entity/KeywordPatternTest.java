package io.switchboard.routing.entity;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeywordPatternTest {

    private static boolean found(KeywordPattern pattern, String text) {
        return pattern.foundIn(text, () -> KeywordPattern.asciiLower(text));
    }

    @Example
    void wordsAndAlternativesAreMatchedWithoutTheRegexEngineAndAnythingElseWithIt() {
        assertTrue(KeywordPattern.compile("(?i)\\b(refactor|rewrite)\\b").literal());
        assertTrue(KeywordPattern.compile("kubernetes|k8s").literal());
        assertTrue(KeywordPattern.compile("\\bprove\\b").literal());
        assertFalse(KeywordPattern.compile("prove.*theorem").literal());
        assertFalse(KeywordPattern.compile("(?iu)straße").literal());
        KeywordPattern words = KeywordPattern.compile("(?i)\\b(refactor|rewrite)\\b");
        assertTrue(found(words, "Please REFACTOR this"));
        assertFalse(found(words, "refactoring is not a word match"));
        assertTrue(found(KeywordPattern.compile("prove.*theorem"), "prove this theorem"));
    }

    /** The fast path answers what java.util.regex answers, for every pattern it takes and any text. */
    @Property(tries = 2000)
    void theLiteralPathAgreesWithTheRegexEngine(@ForAll("patterns") String source, @ForAll("texts") String text) {
        KeywordPattern pattern = KeywordPattern.compile(source);
        assertTrue(pattern.literal(), source);
        assertEquals(Pattern.compile(source).matcher(text).find(), found(pattern, text), () -> source + " in " + text);
    }

    @Provide
    Arbitrary<String> patterns() {
        Arbitrary<String> word = Arbitraries.of("go", "Go", "k8s", "rust", "a b", "x_y", "pre-fix", "é", "9");
        Arbitrary<String> words = word.list().ofMinSize(1).ofMaxSize(3).map(list -> String.join("|", list))
                .filter(w -> !w.contains("é"));
        return Combinators.combine(Arbitraries.of("", "(?i)"), Arbitraries.of("", "\\b"), Arbitraries.of("plain", "(?:", "("),
                words, Arbitraries.of("", "\\b")).as((flags, before, group, inside, after) -> flags + before
                + (group.equals("plain") ? inside.split("\\|")[0] : group + inside + ")") + after);
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of("go", "GO", "Go!", "gopher", "ago", "k8s", "K8S", "rust", "Rust_", "a b", "x_y", "pre-fix", "-go-",
                " ", "é", "ég", "9", "_go", "Straße", "İgo").list().ofMaxSize(6).map(parts -> String.join("", parts));
    }
}
