package io.switchboard.tenancy.entity;

import jakarta.persistence.AttributeOverride;
import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;

/** A customer of the gateway with its quotas; a null limit means unlimited. */
@Entity
@Table(name = "tenant")
@NamedQuery(name = Tenant.ALL, query = "SELECT t FROM Tenant t ORDER BY t.id")
@NamedQuery(name = Tenant.COUNT, query = "SELECT COUNT(t) FROM Tenant t")
public class Tenant {

    public static final String ALL = "Tenant.all";
    public static final String COUNT = "Tenant.count";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = 200)
    private String name;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 20)
    private TenantStatus status = TenantStatus.ACTIVE;

    /** The tenant's own limits (the columns rpm_limit ... monthly_spend_limit). */
    @Embedded
    private LimitColumns limits = new LimitColumns();

    /** The default limits of each end user of the tenant (OpenAI's {@code user} field). */
    @Embedded
    @AttributeOverride(name = "rpmLimit", column = @Column(name = "end_user_rpm_limit"))
    @AttributeOverride(name = "tpmLimit", column = @Column(name = "end_user_tpm_limit"))
    @AttributeOverride(name = "maxConcurrency", column = @Column(name = "end_user_max_concurrency"))
    @AttributeOverride(name = "dailyTokenBudget", column = @Column(name = "end_user_daily_token_budget"))
    @AttributeOverride(name = "monthlyTokenBudget", column = @Column(name = "end_user_monthly_token_budget"))
    @AttributeOverride(name = "monthlySpendLimit", column = @Column(name = "end_user_monthly_spend_limit", precision = 14, scale = 4))
    private LimitColumns endUserLimits = new LimitColumns();

    /** Its weight in the fair queue of a saturated model (1 to 1000). */
    @Column(name = "fair_share_weight", nullable = false)
    private int fairShareWeight = 1;

    /** Where budget alerts are posted, signed with the secret (HMAC-SHA256); null: no webhook. */
    @Column(name = "alert_webhook_url", length = 1000)
    private String alertWebhookUrl;

    @Column(name = "alert_webhook_secret", length = 200)
    private String alertWebhookSecret;

    /** Null: every enabled model. */
    @Column(name = "allowed_models")
    private String[] allowedModels;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @PrePersist
    void onCreate() {
        createdAt = Instant.now();
        updatedAt = createdAt;
    }

    @PreUpdate
    void onUpdate() {
        updatedAt = Instant.now();
    }

    public boolean isActive() {
        return status == TenantStatus.ACTIVE;
    }

    public Long getId() { return id; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public TenantStatus getStatus() { return status; }
    public void setStatus(TenantStatus status) { this.status = status; }
    public LimitColumns getLimits() {
        if (limits == null) limits = new LimitColumns(); // Hibernate leaves an all-null embeddable null
        return limits;
    }
    public int getFairShareWeight() { return fairShareWeight; }
    public void setFairShareWeight(int weight) { this.fairShareWeight = weight; }
    public String getAlertWebhookUrl() { return alertWebhookUrl; }
    public void setAlertWebhookUrl(String url) { this.alertWebhookUrl = url; }
    public String getAlertWebhookSecret() { return alertWebhookSecret; }
    public void setAlertWebhookSecret(String secret) { this.alertWebhookSecret = secret; }

    public LimitColumns getEndUserLimits() {
        if (endUserLimits == null) endUserLimits = new LimitColumns(); // Hibernate leaves an all-null embeddable null
        return endUserLimits;
    }

    public Limits limits() {
        return getLimits().toLimits();
    }

    public List<String> getAllowedModels() { return allowedModels == null ? null : List.of(allowedModels); }
    public void setAllowedModels(List<String> allowedModels) {
        this.allowedModels = allowedModels == null ? null : allowedModels.toArray(String[]::new);
    }
    public Instant getCreatedAt() { return createdAt; }
    public Instant getUpdatedAt() { return updatedAt; }
}
