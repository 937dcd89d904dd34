package io.switchboard.tenancy.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import io.switchboard.gateway.boundary.ApiException;
import io.switchboard.tenancy.control.ApiKeys;
import io.switchboard.tenancy.control.KeyAuthenticator;
import io.switchboard.tenancy.entity.KeyCheck;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Every {@code /v1} request must carry {@code Authorization: Bearer <key>}; anything else is
 * answered 401 exactly as OpenAI does ({@code invalid_request_error} / {@code invalid_api_key}).
 * Runs before routing, so unknown {@code /v1} paths do not reveal themselves to anonymous callers.
 */
@Provider
@ApplicationScoped
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class TenantAuthenticationFilter implements ContainerRequestFilter {

    @Inject
    KeyAuthenticator authenticator;

    @Inject
    Caller caller;

    @Inject
    MetricRegistry metrics;

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!(path.startsWith("/v1/") || path.startsWith("v1/") || path.equals("/v1") || path.equals("v1"))) return;
        String key = bearerToken(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        KeyCheck check = authenticator.authenticate(key);
        if (check.principal() == null) {
            metrics.counter("switchboard_auth_failures", new Tag("reason", check.rejection().name().toLowerCase())).inc();
            throw unauthorized(check.rejection(), key);
        }
        caller.authenticatedAs(check.principal());
    }

    /** The token of a {@code Bearer} header (scheme case-insensitive), or null. */
    public static String bearerToken(String authorization) {
        if (authorization == null) return null;
        String value = authorization.trim();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        String token = value.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private static ApiException unauthorized(KeyCheck.Rejection rejection, String key) {
        String message = switch (rejection) {
            case MISSING -> "You didn't provide an API key. You need to provide your API key in an Authorization "
                    + "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
            case UNKNOWN -> "Incorrect API key provided: " + ApiKeys.masked(key) + ". Ask your Switchboard "
                    + "administrator for a valid key.";
            case REVOKED -> "The API key provided has been revoked.";
            case EXPIRED -> "The API key provided has expired.";
            case TENANT_DISABLED -> "The tenant of the API key provided is disabled.";
        };
        return new ApiException(401, ApiException.INVALID_REQUEST, "invalid_api_key", null, message)
                .withHeader("WWW-Authenticate", "Bearer");
    }
}
