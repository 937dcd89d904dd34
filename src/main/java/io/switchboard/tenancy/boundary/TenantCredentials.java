package io.switchboard.tenancy.boundary;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.tenancy.control.ApiKeys;
import io.switchboard.tenancy.control.KeyAuthenticator;
import io.switchboard.tenancy.entity.KeyCheck;
import io.switchboard.tenancy.entity.RefusedKey;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The caller behind an {@code Authorization} header, or the 401 OpenAI answers
 * ({@code invalid_request_error} / {@code invalid_api_key}). Used by every {@code /v1} entry point.
 */
@ApplicationScoped
public class TenantCredentials {

    @Inject
    KeyAuthenticator authenticator;

    @Inject
    MetricRegistry metrics;

    public TenantPrincipal require(String authorizationHeader) {
        String key = TenantAuthenticationFilter.bearerToken(authorizationHeader);
        KeyCheck check = authenticator.authenticate(key);
        if (check.principal() == null) {
            metrics.counter("switchboard_auth_failures", new Tag("reason", check.rejection().name().toLowerCase())).inc();
            throw new RefusedKey(unauthorized(check.rejection(), key), check.tenantId(), check.keyId());
        }
        return check.principal();
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
