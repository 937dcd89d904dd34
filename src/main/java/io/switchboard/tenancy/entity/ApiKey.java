package io.switchboard.tenancy.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

import java.time.Instant;

/** A tenant's credential. Only the SHA-256 of the key is kept; {@link #prefix} is what people recognise it by. */
@Entity
@Table(name = "api_key")
@NamedQuery(name = ApiKey.BY_TENANT, query = "SELECT k FROM ApiKey k WHERE k.tenant.id = :tenantId ORDER BY k.id")
@NamedQuery(name = ApiKey.BY_HASH, query = "SELECT k FROM ApiKey k JOIN FETCH k.tenant WHERE k.keyHash = :hash")
@NamedQuery(name = ApiKey.TOUCH, query = "UPDATE ApiKey k SET k.lastUsedAt = :at WHERE k.id = :id "
        + "AND (k.lastUsedAt IS NULL OR k.lastUsedAt < :at)")
public class ApiKey {

    public static final String BY_TENANT = "ApiKey.byTenant";
    public static final String BY_HASH = "ApiKey.byHash";
    public static final String TOUCH = "ApiKey.touch";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "tenant_id", nullable = false)
    private Tenant tenant;

    @Column(nullable = false, length = 200)
    private String name;

    @Column(nullable = false, length = 32)
    private String prefix;

    @Column(name = "key_hash", nullable = false, length = 64, columnDefinition = "bpchar(64)")
    private String keyHash;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "expires_at")
    private Instant expiresAt;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    @Column(name = "last_used_at")
    private Instant lastUsedAt;

    /** The key's own limits, enforced beside its tenant's. */
    @Embedded
    private LimitColumns limits = new LimitColumns();

    protected ApiKey() {
    }

    public ApiKey(Tenant tenant, String name, String prefix, String keyHash, Instant expiresAt) {
        this.tenant = tenant;
        this.name = name;
        this.prefix = prefix;
        this.keyHash = keyHash;
        this.expiresAt = expiresAt;
        this.createdAt = Instant.now();
    }

    public boolean isRevoked() { return revokedAt != null; }

    public boolean isExpiredAt(Instant now) { return expiresAt != null && !now.isBefore(expiresAt); }

    public void revoke() {
        if (revokedAt == null) revokedAt = Instant.now();
    }

    public Long getId() { return id; }
    public Tenant getTenant() { return tenant; }
    public String getName() { return name; }
    public String getPrefix() { return prefix; }
    public String getKeyHash() { return keyHash; }
    public Instant getCreatedAt() { return createdAt; }
    public Instant getExpiresAt() { return expiresAt; }
    public Instant getRevokedAt() { return revokedAt; }
    public Instant getLastUsedAt() { return lastUsedAt; }

    public LimitColumns getLimits() {
        if (limits == null) limits = new LimitColumns(); // Hibernate leaves an all-null embeddable null
        return limits;
    }
}
