package io.switchboard.routing.control;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CodeLanguagesTest {

    @Test
    void fencesNameTheirLanguageByAnyOfItsNames() {
        assertEquals(Set.of("python"), CodeLanguages.in("Fix this:\n```py\nprint(1)\n```"));
        assertEquals(Set.of("cpp", "rust"), CodeLanguages.in("```c++\nint x;\n```\nand\n```rust title=\"x\"\nlet x = 1;\n```"));
        assertEquals(Set.of("typescript"), CodeLanguages.in("```tsx{1,3}\nconst a = 1\n```"));
    }

    @Test
    void fileNamesWithAKnownExtensionShowTheirLanguage() {
        assertEquals(Set.of("rust"), CodeLanguages.in("The bug is in src/main.rs, I think."));
        assertEquals(Set.of("go", "yaml"), CodeLanguages.in("edit server.go and deploy.yaml"));
        assertEquals(Set.of("javascript"), CodeLanguages.in("Is Node.js fast?"));
    }

    @Test
    void keywordsAloneShowALanguage() {
        assertEquals(Set.of("python"), CodeLanguages.in("import numpy as np\nx = np.zeros(3)"));
        assertEquals(Set.of("rust"), CodeLanguages.in("why does let mut v = Vec::new(); not compile"));
        assertEquals(Set.of("cpp"), CodeLanguages.in("#include <vector>\nstd::vector<int> v;"));
        assertEquals(Set.of("java"), CodeLanguages.in("public static void main(String[] args) { System.out.println(1); }"));
        assertEquals(Set.of("sql"), CodeLanguages.in("SELECT name FROM users WHERE id = 1"));
        assertEquals(Set.of("go"), CodeLanguages.in("package main\n\nfunc main() {}"));
    }

    @Test
    void proseShowsNone() {
        assertEquals(Set.of(), CodeLanguages.in("Let's go. I.e. we meet at 3.5 p.m., e.g. at the U.S. office; select a time from the list."));
        assertEquals(Set.of(), CodeLanguages.in("Write me a poem about the sea."));
    }

    @Test
    void aliasesAreCanonical() {
        assertEquals("javascript", CodeLanguages.canonical("JS"));
        assertEquals("shell", CodeLanguages.canonical("bash"));
        assertNull(CodeLanguages.canonical("klingon"));
    }
}
