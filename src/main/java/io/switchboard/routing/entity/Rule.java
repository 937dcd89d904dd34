package io.switchboard.routing.entity;

import java.util.List;
import java.util.Set;

/**
 * A routing rule compiled for the request path: its keyword pattern compiled, its languages canonical.
 * {@link #mismatch} says why a request does not match it (null: it matches), and {@link #conditions}
 * what it asked of one that did, for explain.
 */
public record Rule(long id, String name, int priority, Long tenantId, String endpoint, String alias, boolean isDefault,
                   Set<String> codeLanguages, Integer minMessages, Integer maxMessages, Integer minPromptTokens,
                   Integer maxPromptTokens, Quality quality, KeywordPattern keywordPattern, String targetModel,
                   List<String> alternatives, String fallbackModel, Integer maxQueueWaitMs, List<String> models) {

    /** Compiled once, so that no request builds the list of models again. */
    public Rule(long id, String name, int priority, Long tenantId, String endpoint, String alias, boolean isDefault,
                Set<String> codeLanguages, Integer minMessages, Integer maxMessages, Integer minPromptTokens,
                Integer maxPromptTokens, Quality quality, KeywordPattern keywordPattern, String targetModel,
                List<String> alternatives, String fallbackModel, Integer maxQueueWaitMs) {
        this(id, name, priority, tenantId, endpoint, alias, isDefault, codeLanguages, minMessages, maxMessages, minPromptTokens,
                maxPromptTokens, quality, keywordPattern, targetModel, alternatives, fallbackModel, maxQueueWaitMs,
                List.copyOf(new java.util.LinkedHashSet<>(java.util.stream.Stream.concat(java.util.stream.Stream.of(targetModel),
                        alternatives.stream()).toList())));
    }

    /** The target and then the alternatives, each once, in the rule's order: the models it may choose from. */
    public List<String> models() {
        return models;
    }

    /** What the response header and the usage row name it by: its name where it has one, else its id. */
    public String label() {
        return name != null ? name : String.valueOf(id);
    }

    public boolean appliesTo(long tenant) {
        return tenantId == null || tenantId == tenant;
    }

    /** Whether the request meets every condition, checked cheapest first; what {@link #mismatch} says, without the words. */
    public boolean matches(long tenant, RequestTraits request) {
        return appliesTo(tenant)
                && (endpoint == null || endpoint.equals(request.endpoint()))
                && (minMessages == null || request.messages() >= minMessages)
                && (maxMessages == null || request.messages() <= maxMessages)
                && (minPromptTokens == null || request.promptTokens() >= minPromptTokens)
                && (maxPromptTokens == null || request.promptTokens() <= maxPromptTokens)
                && (quality == null || quality == request.quality())
                && (codeLanguages.isEmpty() || anyLanguage(request))
                && (keywordPattern == null || keywordPattern.foundIn(request));
    }

    private boolean anyLanguage(RequestTraits request) {
        for (String language : request.languages()) if (codeLanguages.contains(language)) return true;
        return false;
    }

    /** Why this request does not match, or null when it does (for explain); conditions are checked cheapest first. */
    public String mismatch(long tenant, RequestTraits request) {
        if (!appliesTo(tenant)) return "for tenant " + tenantId;
        if (endpoint != null && !endpoint.equals(request.endpoint())) return "endpoint is " + request.endpoint() + ", not " + endpoint;
        if (minMessages != null && request.messages() < minMessages) return request.messages() + " messages, fewer than " + minMessages;
        if (maxMessages != null && request.messages() > maxMessages) return request.messages() + " messages, more than " + maxMessages;
        if (minPromptTokens != null && request.promptTokens() < minPromptTokens) {
            return "about " + request.promptTokens() + " prompt tokens, fewer than " + minPromptTokens;
        }
        if (maxPromptTokens != null && request.promptTokens() > maxPromptTokens) {
            return "about " + request.promptTokens() + " prompt tokens, more than " + maxPromptTokens;
        }
        if (quality != null && quality != request.quality()) return "quality is " + request.quality().wire() + ", not " + quality.wire();
        if (!codeLanguages.isEmpty() && codeLanguages.stream().noneMatch(request.languages()::contains)) {
            return (request.languages().isEmpty() ? "no code language" : "code languages " + request.languages())
                    + ", not one of " + codeLanguages;
        }
        if (keywordPattern != null && !keywordPattern.foundIn(request)) {
            return "keyword_pattern does not match the last user message";
        }
        return null;
    }

    /** The conditions a matching request met, as explain lists them. */
    public List<String> conditions(RequestTraits request) {
        var met = new java.util.ArrayList<String>();
        if (tenantId != null) met.add("tenant_id = " + tenantId);
        if (endpoint != null) met.add("endpoint = " + endpoint);
        if (minMessages != null) met.add("messages " + request.messages() + " >= " + minMessages);
        if (maxMessages != null) met.add("messages " + request.messages() + " <= " + maxMessages);
        if (minPromptTokens != null) met.add("prompt tokens ~" + request.promptTokens() + " >= " + minPromptTokens);
        if (maxPromptTokens != null) met.add("prompt tokens ~" + request.promptTokens() + " <= " + maxPromptTokens);
        if (quality != null) met.add("quality = " + quality.wire());
        if (!codeLanguages.isEmpty()) met.add("code language " + request.languages().stream().filter(codeLanguages::contains).toList());
        if (keywordPattern != null) met.add("keyword_pattern /" + keywordPattern.pattern() + "/");
        if (isDefault) met.add("default rule for alias " + alias);
        if (met.isEmpty()) met.add("no conditions");
        return met;
    }
}
