package io.switchboard.tenancy.boundary;

import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.enterprise.context.RequestScoped;

/** The tenant behind the current {@code /v1} request, set by {@link TenantAuthenticationFilter}. */
@RequestScoped
public class Caller {

    private TenantPrincipal principal;

    void authenticatedAs(TenantPrincipal principal) {
        this.principal = principal;
    }

    public TenantPrincipal principal() {
        if (principal == null) throw new IllegalStateException("no authenticated tenant on this request");
        return principal;
    }
}
