package io.switchboard.gateway.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Gives every request its own id, returned as {@code x-request-id} (and the usage row's key), made here as
 * OpenAI does: a client's id could repeat, and a repeated key would lose a usage row. An id the client
 * sends ({@code X-Client-Request-Id}, as OpenAI takes it, or its own {@code x-request-id}) is kept beside it,
 * echoed as {@code x-client-request-id}, and finds the request in {@code /admin/requests/{id}} too.
 */
@Provider
@ApplicationScoped
@PreMatching
@Priority(1)
public class RequestIdFilter implements ContainerRequestFilter, ContainerResponseFilter {

    public static final String HEADER = "x-request-id";
    public static final String CLIENT_HEADER = "x-client-request-id";
    public static final String PROPERTY = "switchboard.requestId";

    @Override
    public void filter(ContainerRequestContext request) {
        request.setProperty(PROPERTY, newId());
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Object id = request.getProperty(PROPERTY);
        if (id != null) response.getHeaders().putSingle(HEADER, id);
    }

    /** The client's own id for the request, when it sent a sane one; else null. */
    public static String clientId(String clientHeader, String requestIdHeader) {
        String offered = clientHeader != null ? clientHeader : requestIdHeader;
        return offered != null && offered.length() <= 128 && offered.matches("[A-Za-z0-9._:-]+") ? offered : null;
    }

    /** 128 random bits; ThreadLocalRandom because SecureRandom's lock shows under load and ids are not secrets. */
    public static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "req_" + HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
    }

    public static String of(ContainerRequestContext request) {
        return (String) request.getProperty(PROPERTY);
    }
}
