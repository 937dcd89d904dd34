package io.switchboard.tenancy.entity;

/**
 * The outcome of looking up a presented key, as cached: either the caller it identifies or why
 * it is refused. Expiry is decided at use time from {@link TenantPrincipal#keyExpiresAt()}.
 */
public record KeyCheck(TenantPrincipal principal, Rejection rejection, Long tenantId, Long keyId) {

    public enum Rejection { UNKNOWN, REVOKED, TENANT_DISABLED, EXPIRED, MISSING }

    public static KeyCheck valid(TenantPrincipal principal) {
        return new KeyCheck(principal, null, principal.tenantId(), principal.keyId());
    }

    /** A key nobody issued (or none at all): no tenant to account it to. */
    public static KeyCheck rejected(Rejection rejection) {
        return new KeyCheck(null, rejection, null, null);
    }

    /** A real key refused (revoked, expired, its tenant disabled): the refusal is the tenant's usage row. */
    public static KeyCheck rejected(Rejection rejection, long tenantId, long keyId) {
        return new KeyCheck(null, rejection, tenantId, keyId);
    }
}
