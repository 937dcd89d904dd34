package io.switchboard.routing.control;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The programming languages a piece of text shows, by three signs: the info string of a fenced code block
 * (```python), file names with a known extension (main.rs), and a few keywords each language is known by
 * ({@code #include <}, {@code fn main(}). Names are canonical (python, javascript, cpp, ...), so that rules
 * and requests agree; a rule may also name an alias (py, js, c++), which {@link #canonical} turns into it.
 */
public final class CodeLanguages {

    private static final Map<String, String> NAMES = new HashMap<>();
    private static final Map<String, String> EXTENSIONS = new HashMap<>();
    private static final Pattern KEYWORDS;
    private static final String[] KEYWORD_LANGUAGES;

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
        // one pass over the text: each alternative a group, in the order of KEYWORD_LANGUAGES
        String[][] keywords = {
                {"python", "(?m)^\\s*(?:def \\w+\\(|from [\\w.]+ import |import (?:numpy|pandas|os|sys|re|json|torch)\\b)|if __name__ == "},
                {"rust", "\\bfn \\w+\\(|\\blet mut \\w|\\bimpl(?:<[^>]*>)? \\w+|println!\\(|use std::"},
                {"go", "\\bfunc (?:\\([^)]*\\) )?\\w+\\(|\\bpackage main\\b|fmt\\.Print"},
                {"java", "\\bpublic (?:static )?(?:final )?(?:class|void|interface) |System\\.out\\.print|import java\\."},
                {"cpp", "#include\\s*<(?:iostream|vector|string|memory)>|\\bstd::\\w"},
                {"c", "#include\\s*<(?:stdio|stdlib|string)\\.h>|\\bprintf\\(|\\bmalloc\\("},
                {"javascript", "\\bconsole\\.log\\(|\\bfunction \\w+\\(|\\brequire\\(['\"]|\\bconst \\w+ = (?:require|async|\\()"},
                {"typescript", "\\binterface \\w+ \\{|: (?:string|number|boolean)(?:\\[\\])?[;,)=]"},
                {"sql", "(?i)\\bselect\\b[^;]{1,200}?\\bfrom\\b|\\bcreate table\\b|\\binsert into\\b"},
                {"shell", "(?m)^#!/(?:usr/)?bin/(?:env )?(?:ba|z)?sh|^\\s*\\$ (?:sudo|cd|ls|git|npm|pip) "},
        };
        StringBuilder all = new StringBuilder();
        KEYWORD_LANGUAGES = new String[keywords.length];
        for (int i = 0; i < keywords.length; i++) {
            KEYWORD_LANGUAGES[i] = keywords[i][0];
            if (i > 0) all.append('|');
            String pattern = keywords[i][1];
            String flags = pattern.startsWith("(?") ? pattern.substring(0, pattern.indexOf(')') + 1) : "";
            all.append('(').append(flags.isEmpty() ? "" : flags.replace(")", ":")).append(pattern.substring(flags.length()))
                    .append(flags.isEmpty() ? "" : ")").append(')');
        }
        KEYWORDS = Pattern.compile(all.toString());
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
        Matcher keyword = KEYWORDS.matcher(text);
        while (keyword.find()) {
            for (int group = 1; group <= KEYWORD_LANGUAGES.length; group++) {
                if (keyword.start(group) >= 0) {
                    found.add(KEYWORD_LANGUAGES[group - 1]);
                    break;
                }
            }
        }
        return found;
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
