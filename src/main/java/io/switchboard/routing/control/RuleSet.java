package io.switchboard.routing.control;

import io.switchboard.routing.entity.KeywordPattern;
import io.switchboard.routing.entity.Quality;
import io.switchboard.routing.entity.RouteRule;
import io.switchboard.routing.entity.Rule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.PatternSyntaxException;

/**
 * The enabled rules as one immutable set, by alias, each alias's rules in the order they are tried:
 * by priority (then id), its default rules last (a tenant's own before the one for every tenant).
 * Compiling a set either succeeds whole or fails naming the rule at fault: the last good set stays.
 */
public final class RuleSet {

    public static final RuleSet EMPTY = new RuleSet(0, Map.of());

    private final long version;
    private final Map<String, List<Rule>> byAlias;

    private RuleSet(long version, Map<String, List<Rule>> byAlias) {
        this.version = version;
        this.byAlias = byAlias;
    }

    /** Compiles the rows (disabled ones are left out); an {@link IllegalArgumentException} names a rule that cannot be. */
    public static RuleSet compile(long version, List<RouteRule> rows) {
        Map<String, List<Rule>> byAlias = new HashMap<>();
        for (RouteRule row : rows) {
            if (!row.isEnabled()) continue;
            byAlias.computeIfAbsent(row.getAlias(), alias -> new ArrayList<>()).add(compile(row));
        }
        Comparator<Rule> order = Comparator.comparing(Rule::isDefault)
                .thenComparing(rule -> rule.isDefault() && rule.tenantId() == null) // a tenant's default first
                .thenComparingInt(Rule::priority).thenComparingLong(Rule::id);
        byAlias.replaceAll((alias, rules) -> rules.stream().sorted(order).toList());
        return new RuleSet(version, Map.copyOf(byAlias));
    }

    public static Rule compile(RouteRule row) {
        KeywordPattern pattern;
        try {
            pattern = row.getKeywordPattern() == null || row.getKeywordPattern().isEmpty() ? null : KeywordPattern.compile(row.getKeywordPattern());
        } catch (PatternSyntaxException bad) {
            throw new IllegalArgumentException("rule " + row.getId() + ": keyword_pattern does not compile: " + bad.getDescription()
                    + " near index " + bad.getIndex(), bad);
        }
        Set<String> languages = new TreeSet<>();
        for (String language : row.getCodeLanguages() == null ? List.<String>of() : row.getCodeLanguages()) {
            String canonical = CodeLanguages.canonical(language);
            if (canonical == null) throw new IllegalArgumentException("rule " + row.getId() + ": unknown code language '" + language + "'");
            languages.add(canonical);
        }
        Quality quality = row.getQuality() == null ? null : Quality.of(row.getQuality());
        return new Rule(row.getId() == null ? 0 : row.getId(), row.getName(), row.getPriority(), row.getTenantId(),
                row.getEndpoint(), row.getAlias(), row.isDefault(), Set.copyOf(languages), row.getMinMessages(), row.getMaxMessages(),
                row.getMinPromptTokens(), row.getMaxPromptTokens(), quality, pattern, row.getTargetModel(),
                List.copyOf(row.getAlternatives()), row.getFallbackModel(), row.getMaxQueueWaitMs());
    }

    public long version() {
        return version;
    }

    /** The rules of an alias in the order they are tried; empty when no rule defines it. */
    public List<Rule> of(String alias) {
        return byAlias.getOrDefault(alias, List.of());
    }

    public boolean defines(String alias) {
        return byAlias.containsKey(alias);
    }

    /** The aliases with a rule that applies to this tenant, by name. */
    public Set<String> aliasesOf(long tenant) {
        Set<String> aliases = new LinkedHashSet<>();
        byAlias.entrySet().stream().filter(e -> e.getValue().stream().anyMatch(rule -> rule.appliesTo(tenant)))
                .map(Map.Entry::getKey).sorted().forEach(aliases::add);
        return aliases;
    }

    public int size() {
        return byAlias.values().stream().mapToInt(List::size).sum();
    }
}
