package io.switchboard.admin.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.tenancy.boundary.TenantAuthenticationFilter;
import io.switchboard.tenancy.control.ApiKeys;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

import java.util.Optional;

/**
 * Everything under {@code /admin} needs {@code Authorization: Bearer $SWITCHBOARD_ADMIN_TOKEN},
 * compared in constant time. Without a configured token the admin API stays closed.
 */
@Provider
@ApplicationScoped
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class AdminAuthenticationFilter implements ContainerRequestFilter {

    @Inject
    @ConfigProperty(name = "switchboard.admin.token")
    Optional<String> adminToken;

    @Inject
    MetricRegistry metrics;

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!(path.startsWith("/admin") || path.startsWith("admin"))) return;
        String presented = TenantAuthenticationFilter.bearerToken(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        String expected = adminToken.map(String::trim).orElse("");
        if (presented == null || expected.isEmpty() || !ApiKeys.constantTimeEquals(presented, expected)) {
            metrics.counter("switchboard_auth_failures", new Tag("reason", "admin_token")).inc();
            throw new ApiException(401, ApiException.INVALID_REQUEST, "invalid_admin_token", null,
                    expected.isEmpty()
                            ? "The admin API is disabled: no SWITCHBOARD_ADMIN_TOKEN is configured."
                            : "The admin API needs Authorization: Bearer <SWITCHBOARD_ADMIN_TOKEN>.")
                    .withHeader("WWW-Authenticate", "Bearer");
        }
    }
}
