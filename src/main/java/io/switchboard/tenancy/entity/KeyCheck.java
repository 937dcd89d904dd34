package io.switchboard.tenancy.entity;

/**
 * The outcome of looking up a presented key, as cached: either the caller it identifies or why
 * it is refused. Expiry is decided at use time from {@link TenantPrincipal#keyExpiresAt()}.
 */
public record KeyCheck(TenantPrincipal principal, Rejection rejection) {

    public enum Rejection { UNKNOWN, REVOKED, TENANT_DISABLED, EXPIRED, MISSING }

    public static KeyCheck valid(TenantPrincipal principal) {
        return new KeyCheck(principal, null);
    }

    public static KeyCheck rejected(Rejection rejection) {
        return new KeyCheck(null, rejection);
    }
}
