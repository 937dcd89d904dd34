package io.switchboard.admin.boundary;

import io.switchboard.routing.entity.RouteRule;

import java.time.Instant;
import java.util.List;

/** A routing rule as the admin API shows it: the same field names as the {@code route_rule} columns. */
public record RouteView(long id, String name, int priority, boolean enabled, Long tenantId, String endpoint, String alias,
                        boolean isDefault, List<String> codeLanguages, Integer minMessages, Integer maxMessages,
                        Integer minPromptTokens, Integer maxPromptTokens, String quality, String keywordPattern,
                        String targetModel, List<String> alternatives, String fallbackModel, Integer maxQueueWaitMs,
                        Instant createdAt, Instant updatedAt) {

    static RouteView of(RouteRule rule) {
        return new RouteView(rule.getId(), rule.getName(), rule.getPriority(), rule.isEnabled(), rule.getTenantId(),
                rule.getEndpoint(), rule.getAlias(), rule.isDefault(), rule.getCodeLanguages(), rule.getMinMessages(),
                rule.getMaxMessages(), rule.getMinPromptTokens(), rule.getMaxPromptTokens(), rule.getQuality(),
                rule.getKeywordPattern(), rule.getTargetModel(), rule.getAlternatives(), rule.getFallbackModel(),
                rule.getMaxQueueWaitMs(), rule.getCreatedAt(), rule.getUpdatedAt());
    }

    /**
     * {@code GET /admin/routes}: the rules, the version in the database, the one in force here and why they
     * differ, and whether this server hears changes as they happen (false: it polls the version meanwhile).
     */
    public record Listing(List<RouteView> data, long version, long versionInForce, String lastError, boolean listening) {
    }
}
