package io.switchboard.tenancy.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

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
    TenantCredentials credentials;

    @Inject
    Caller caller;

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!(path.startsWith("/v1/") || path.startsWith("v1/") || path.equals("/v1") || path.equals("v1"))) return;
        caller.authenticatedAs(credentials.require(request.getHeaderString(HttpHeaders.AUTHORIZATION)));
    }

    /** The token of a {@code Bearer} header (scheme case-insensitive), or null. */
    public static String bearerToken(String authorization) {
        if (authorization == null) return null;
        String value = authorization.trim();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        String token = value.substring(7).trim();
        return token.isEmpty() ? null : token;
    }
}
