package io.switchboard.quotas.entity;

/**
 * Who a limit applies to: a tenant, one of its keys, or one end user inside a tenant. {@code id} is the
 * key of its counters in the database ({@code tenant:7}, {@code key:11}, {@code user:7:alice}).
 */
public record QuotaScope(Kind kind, long tenantId, String id, String label) {

    public enum Kind { TENANT, KEY, END_USER }

    public static QuotaScope tenant(long tenantId, String name) {
        return new QuotaScope(Kind.TENANT, tenantId, "tenant:" + tenantId, "tenant '" + name + "'");
    }

    public static QuotaScope key(long tenantId, long keyId) {
        return new QuotaScope(Kind.KEY, tenantId, "key:" + keyId, "API key " + keyId);
    }

    public static QuotaScope endUser(long tenantId, String user) {
        return new QuotaScope(Kind.END_USER, tenantId, "user:" + tenantId + ":" + user, "end user '" + user + "'");
    }
}
