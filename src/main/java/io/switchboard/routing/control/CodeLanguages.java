package io.switchboard.routing.control;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The programming languages a piece of text shows, by three signs: the info string of a fenced code block
 * (```python), file names with a known extension (main.rs), and a few keywords each language is known by
 * ({@code #include <}, {@code fn main(}). Names are canonical (python, javascript, cpp, ...), so that rules
 * and requests agree; a rule may also name an alias (py, js, c++), which {@link #canonical} turns into it.
 */
public final class CodeLanguages {

    private static final Map<String, String> NAMES = new HashMap<>();
    private static final Map<String, String> EXTENSIONS = new HashMap<>();

    static {
        names("python", "python", "py", "python3", "ipython");
        names("javascript", "javascript", "js", "node", "jsx", "mjs");
        names("typescript", "typescript", "ts", "tsx");
        names("java", "java");
        names("kotlin", "kotlin", "kt");
        names("go", "go", "golang");
        names("rust", "rust", "rs");
        names("c", "c", "h");
        names("cpp", "cpp", "c++", "cxx", "cc", "hpp");
        names("csharp", "csharp", "c#", "cs");
        names("ruby", "ruby", "rb");
        names("php", "php");
        names("swift", "swift");
        names("scala", "scala");
        names("sql", "sql", "postgresql", "psql", "mysql", "plpgsql");
        names("shell", "shell", "sh", "bash", "zsh", "console");
        names("html", "html", "htm");
        names("css", "css", "scss");
        names("yaml", "yaml", "yml");
        extensions("python", "py", "pyi", "ipynb");
        extensions("javascript", "js", "jsx", "mjs", "cjs");
        extensions("typescript", "ts", "tsx");
        extensions("java", "java");
        extensions("kotlin", "kt", "kts");
        extensions("go", "go");
        extensions("rust", "rs");
        extensions("c", "c", "h");
        extensions("cpp", "cpp", "cc", "cxx", "hpp", "hh");
        extensions("csharp", "cs");
        extensions("ruby", "rb");
        extensions("php", "php");
        extensions("swift", "swift");
        extensions("scala", "scala");
        extensions("sql", "sql");
        extensions("shell", "sh", "bash", "zsh");
        extensions("html", "html", "htm");
        extensions("css", "css", "scss");
        extensions("yaml", "yaml", "yml");
    }

    private CodeLanguages() {
    }

    /** The canonical name for a language or one of its aliases (lower case), or null for none known. */
    public static String canonical(String language) {
        return NAMES.get(language.strip().toLowerCase(Locale.ROOT));
    }

    /** The languages {@code text} shows, by their canonical names. */
    public static Set<String> in(String text) {
        Set<String> found = new TreeSet<>();
        fences(text, found);
        fileNames(text, found);
        keywords(text, found);
        return found;
    }

    /**
     * One pass over the words: at each word that starts a sign, what follows it is checked in place, with no
     * allocation (the regular expressions this replaced cost 3 ms over 8 KiB, about 70 times this).
     */
    private static void keywords(String t, Set<String> found) {
        int n = t.length();
        int i = 0;
        boolean lineStart = true;
        while (i < n) {
            char c = t.charAt(i);
            if (c == '\n') {
                lineStart = true;
                i++;
                continue;
            }
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            if (!Character.isLetter(c) && c != '_' && c != '#' && c != '$') {
                lineStart = false;
                i++;
                continue;
            }
            int start = i;
            if (c == '#' || c == '$') {
                i++;
                if (c == '#' && lineStart) hash(t, start, found);
                if (c == '$' && lineStart && t.startsWith(" ", i) && anyWordAt(t, i + 1, "sudo", "cd", "ls", "git", "npm", "pip", "docker")) {
                    found.add("shell");
                }
                lineStart = false;
                continue;
            }
            while (i < n && (Character.isLetterOrDigit(t.charAt(i)) || t.charAt(i) == '_')) i++;
            word(t, start, i, found);
            lineStart = false;
        }
    }

    private static void hash(String t, int at, Set<String> found) {
        if (t.startsWith("#!/bin/", at) || t.startsWith("#!/usr/bin/env ", at)) found.add("shell");
        if (!t.startsWith("#include", at)) return;
        int p = skip(t, at + 8);
        if (p >= t.length() || t.charAt(p) != '<') return;
        if (anyAt(t, p + 1, "stdio.h>", "stdlib.h>", "string.h>")) found.add("c");
        else if (anyAt(t, p + 1, "iostream>", "vector>", "string>", "memory>", "map>", "algorithm>")) found.add("cpp");
    }

    /** The word t[start, end): a sign of a language where what follows fits. */
    private static void word(String t, int start, int end, Set<String> found) {
        int length = end - start;
        int next = skip(t, end);
        switch (t.charAt(start)) {
            case 'd' -> {
                if (is(t, start, length, "def") && identifierThen(t, next, '(')) found.add("python");
            }
            case 'e' -> {
                if (is(t, start, length, "elif") && next < t.length() && next > end) found.add("python");
            }
            case '_' -> {
                if (is(t, start, length, "__name__") || is(t, start, length, "__init__") || is(t, start, length, "__main__")) found.add("python");
            }
            case 'i' -> {
                if (is(t, start, length, "import") && next > end) {
                    if (anyWordAt(t, next, "numpy", "pandas", "torch", "sys", "os", "json")) found.add("python");
                    else if (t.startsWith("java.", next)) found.add("java");
                } else if (is(t, start, length, "impl") && next > end && identifierThen(t, next, '{')) {
                    found.add("rust");
                } else if (is(t, start, length, "interface") && identifierThen(t, next, '{')) {
                    found.add("typescript");
                }
            }
            case 'f' -> {
                if (is(t, start, length, "fn") && identifierThen(t, next, '(')) found.add("rust");
                else if (is(t, start, length, "func") && (identifierThen(t, next, '(') || (next < t.length() && t.charAt(next) == '('))) found.add("go");
                else if (is(t, start, length, "fmt") && anyAt(t, end, ".Print")) found.add("go");
                else if (is(t, start, length, "function") && identifierThen(t, next, '(')) found.add("javascript");
                else if (is(t, start, length, "from") && next > end && fromImport(t, next)) found.add("python");
            }
            case 'l' -> {
                if (is(t, start, length, "let") && anyWordAt(t, next, "mut")) found.add("rust");
            }
            case 'p' -> {
                if (is(t, start, length, "println") && anyAt(t, end, "!(")) found.add("rust");
                else if (is(t, start, length, "package") && anyWordAt(t, next, "main")) found.add("go");
                else if (is(t, start, length, "public") && anyWordAt(t, next, "static", "class", "void", "final", "interface")) found.add("java");
                else if (is(t, start, length, "printf") && anyAt(t, end, "(")) found.add("c");
            }
            case 'm' -> {
                if (is(t, start, length, "malloc") && anyAt(t, end, "(")) found.add("c");
            }
            case 'u' -> {
                if (is(t, start, length, "use") && anyAt(t, next, "std::")) found.add("rust");
            }
            case 's' -> {
                if (is(t, start, length, "std") && anyAt(t, end, "::") && !t.startsWith("use ", Math.max(0, start - 4))) found.add("cpp");
            }
            case 'S' -> {
                if (is(t, start, length, "System") && anyAt(t, end, ".out.")) found.add("java");
                else if (is(t, start, length, "SELECT") && upperFrom(t, end)) found.add("sql");
            }
            case 'c', 'C' -> {
                if (is(t, start, length, "console") && anyAt(t, end, ".log(")) found.add("javascript");
                else if (length == 6 && t.regionMatches(true, start, "create", 0, 6) && next > end
                        && t.regionMatches(true, next, "table ", 0, 6)) found.add("sql");
            }
            case 'r' -> {
                if (is(t, start, length, "require") && (anyAt(t, end, "('", "(\"", "(`"))) found.add("javascript");
            }
            case 'I' -> {
                if (length == 6 && t.regionMatches(start, "INSERT", 0, 6) && anyAt(t, next, "INTO ")) found.add("sql");
            }
            default -> {
                // no language starts a sign with this letter
            }
        }
        if (next < t.length() && t.charAt(next) == ':' && next == end) typeAnnotation(t, next + 1, found);
    }

    /** {@code name: string;} and the like, a TypeScript annotation. */
    private static void typeAnnotation(String t, int at, Set<String> found) {
        int p = skip(t, at);
        for (String type : new String[] {"string", "number", "boolean"}) {
            if (t.startsWith(type, p)) {
                int after = p + type.length();
                if (after < t.length() && t.startsWith("[]", after)) after += 2;
                if (after < t.length() && ";,)=".indexOf(t.charAt(after)) >= 0) found.add("typescript");
                return;
            }
        }
    }

    private static boolean fromImport(String t, int at) {
        int p = at;
        while (p < t.length() && (Character.isLetterOrDigit(t.charAt(p)) || t.charAt(p) == '_' || t.charAt(p) == '.')) p++;
        return p > at && p < t.length() && t.charAt(p) == ' ' && t.startsWith("import ", p + 1);
    }

    /** SELECT ... FROM in capitals within 200 characters, before any semicolon. */
    private static boolean upperFrom(String t, int at) {
        int limit = Math.min(t.length(), at + 200);
        for (int p = at; p < limit; p++) {
            char c = t.charAt(p);
            if (c == ';') return false;
            if (c == 'F' && t.startsWith("FROM", p) && (p == 0 || !Character.isLetterOrDigit(t.charAt(p - 1)))
                    && (p + 4 == t.length() || !Character.isLetterOrDigit(t.charAt(p + 4)))) return true;
        }
        return false;
    }

    /** An identifier at {@code at}, then (after spaces) {@code then}. */
    private static boolean identifierThen(String t, int at, char then) {
        int p = at;
        if (p >= t.length() || !(Character.isLetter(t.charAt(p)) || t.charAt(p) == '_')) return false;
        while (p < t.length() && (Character.isLetterOrDigit(t.charAt(p)) || t.charAt(p) == '_')) p++;
        if (then == '(' && p < t.length() && t.charAt(p) == '<') return true; // fn name<T>(
        p = skip(t, p);
        return p < t.length() && t.charAt(p) == then;
    }

    private static boolean is(String t, int start, int length, String word) {
        return length == word.length() && t.startsWith(word, start);
    }

    private static boolean anyAt(String t, int at, String... prefixes) {
        for (String prefix : prefixes) if (t.startsWith(prefix, at)) return true;
        return false;
    }

    /** One of the words at {@code at}, as a whole word. */
    private static boolean anyWordAt(String t, int at, String... words) {
        for (String word : words) {
            int end = at + word.length();
            if (t.startsWith(word, at) && (end == t.length() || !(Character.isLetterOrDigit(t.charAt(end)) || t.charAt(end) == '_'))) return true;
        }
        return false;
    }

    private static int skip(String t, int at) {
        int p = at;
        while (p < t.length() && (t.charAt(p) == ' ' || t.charAt(p) == '\t')) p++;
        return p;
    }

    /** ```lang at a fence's opening: its first word. */
    private static void fences(String text, Set<String> found) {
        int at = 0;
        while ((at = text.indexOf("```", at)) >= 0) {
            int start = at + 3;
            int end = start;
            while (end < text.length() && end - start < 20 && !Character.isWhitespace(text.charAt(end))
                    && text.charAt(end) != '`' && text.charAt(end) != '{') end++;
            if (end > start) {
                String language = canonical(text.substring(start, end));
                if (language != null) found.add(language);
            }
            at = end + 1;
        }
    }

    /** A word followed by a dot and a known extension, and then no more letters: main.rs, src/app.ts. */
    private static void fileNames(String text, Set<String> found) {
        int at = 0;
        while ((at = text.indexOf('.', at)) >= 0) {
            int start = at + 1;
            if (at == 0 || !isNameChar(text.charAt(at - 1))) {
                at = start;
                continue;
            }
            int end = start;
            while (end < text.length() && end - start <= 5 && Character.isLetterOrDigit(text.charAt(end))) end++;
            if (end > start && end - start <= 5 && (end == text.length() || !isNameChar(text.charAt(end)) || text.charAt(end) == '.')) {
                String language = EXTENSIONS.get(text.substring(start, end).toLowerCase(Locale.ROOT));
                if (language != null && !(end < text.length() - 1 && text.charAt(end) == '.' && Character.isLetter(text.charAt(end + 1)))) {
                    found.add(language);
                }
            }
            at = end;
        }
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-';
    }

    private static void names(String canonical, String... aliases) {
        for (String alias : aliases) NAMES.put(alias, canonical);
    }

    private static void extensions(String language, String... extensions) {
        for (String extension : extensions) EXTENSIONS.put(extension, language);
    }
}
