package io.switchboard.tenancy.entity;

public enum TenantStatus {
    ACTIVE, DISABLED
}
