package io.switchboard.routing.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;

/**
 * One routing rule as the {@code route_rule} table holds it (sql/V9): the columns carry the admin API's
 * field names and model names rather than ids, so an admin's {@code UPDATE} reads like the API. The
 * database checks what it can (models exist, bounds, quality); {@link Rule} is its compiled form.
 */
@Entity
@Table(name = "route_rule")
@NamedQuery(name = RouteRule.ALL, query = "SELECT r FROM RouteRule r ORDER BY r.priority, r.id")
public class RouteRule {

    public static final String ALL = "RouteRule.all";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private String name;
    private int priority = 100;
    private boolean enabled = true;
    @Column(name = "tenant_id") private Long tenantId;
    private String endpoint;
    private String alias = "auto";
    @Column(name = "is_default") private boolean isDefault;
    @Column(name = "code_languages") private String[] codeLanguages;
    @Column(name = "min_messages") private Integer minMessages;
    @Column(name = "max_messages") private Integer maxMessages;
    @Column(name = "min_prompt_tokens") private Integer minPromptTokens;
    @Column(name = "max_prompt_tokens") private Integer maxPromptTokens;
    private String quality;
    @Column(name = "keyword_pattern") private String keywordPattern;
    @Column(name = "target_model") private String targetModel;
    private String[] alternatives = new String[0];
    @Column(name = "fallback_model") private String fallbackModel;
    @Column(name = "max_queue_wait_ms") private Integer maxQueueWaitMs;
    @Column(name = "created_at", insertable = false, updatable = false) private Instant createdAt;
    @Column(name = "updated_at", insertable = false, updatable = false) private Instant updatedAt;

    public Long getId() { return id; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public int getPriority() { return priority; }
    public void setPriority(int priority) { this.priority = priority; }
    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public Long getTenantId() { return tenantId; }
    public void setTenantId(Long tenantId) { this.tenantId = tenantId; }
    public String getEndpoint() { return endpoint; }
    public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
    public String getAlias() { return alias; }
    public void setAlias(String alias) { this.alias = alias; }
    public boolean isDefault() { return isDefault; }
    public void setDefault(boolean isDefault) { this.isDefault = isDefault; }
    public List<String> getCodeLanguages() { return codeLanguages == null ? null : List.of(codeLanguages); }
    public void setCodeLanguages(List<String> languages) { this.codeLanguages = languages == null ? null : languages.toArray(String[]::new); }
    public Integer getMinMessages() { return minMessages; }
    public void setMinMessages(Integer minMessages) { this.minMessages = minMessages; }
    public Integer getMaxMessages() { return maxMessages; }
    public void setMaxMessages(Integer maxMessages) { this.maxMessages = maxMessages; }
    public Integer getMinPromptTokens() { return minPromptTokens; }
    public void setMinPromptTokens(Integer minPromptTokens) { this.minPromptTokens = minPromptTokens; }
    public Integer getMaxPromptTokens() { return maxPromptTokens; }
    public void setMaxPromptTokens(Integer maxPromptTokens) { this.maxPromptTokens = maxPromptTokens; }
    public String getQuality() { return quality; }
    public void setQuality(String quality) { this.quality = quality; }
    public String getKeywordPattern() { return keywordPattern; }
    public void setKeywordPattern(String keywordPattern) { this.keywordPattern = keywordPattern; }
    public String getTargetModel() { return targetModel; }
    public void setTargetModel(String targetModel) { this.targetModel = targetModel; }
    public List<String> getAlternatives() { return alternatives == null ? List.of() : List.of(alternatives); }
    public void setAlternatives(List<String> alternatives) { this.alternatives = alternatives == null ? new String[0] : alternatives.toArray(String[]::new); }
    public String getFallbackModel() { return fallbackModel; }
    public void setFallbackModel(String fallbackModel) { this.fallbackModel = fallbackModel; }
    public Integer getMaxQueueWaitMs() { return maxQueueWaitMs; }
    public void setMaxQueueWaitMs(Integer maxQueueWaitMs) { this.maxQueueWaitMs = maxQueueWaitMs; }
    public Instant getCreatedAt() { return createdAt; }
    public Instant getUpdatedAt() { return updatedAt; }
}
