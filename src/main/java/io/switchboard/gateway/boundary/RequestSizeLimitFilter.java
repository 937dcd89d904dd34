package io.switchboard.gateway.boundary;

import io.switchboard.gateway.control.LimitedInputStream;
import io.switchboard.gateway.entity.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.inject.ConfigProperty;


/**
 * Rejects bodies over {@code switchboard.max-request-bytes} with 413: at once when the
 * Content-Length says so, otherwise as soon as the reader passes the limit (chunked uploads).
 */
@Provider
@ApplicationScoped
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public class RequestSizeLimitFilter implements ContainerRequestFilter {

    @Inject
    @ConfigProperty(name = "switchboard.max-request-bytes", defaultValue = "10485760")
    long maxRequestBytes;

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getLength() > maxRequestBytes) {
            throw ApiException.tooLarge(maxRequestBytes);
        }
        if (request.hasEntity()) {
            request.setEntityStream(new LimitedInputStream(request.getEntityStream(), maxRequestBytes));
        }
    }
}
