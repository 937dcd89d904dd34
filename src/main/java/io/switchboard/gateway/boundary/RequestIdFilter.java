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

/** Gives every request an id (the client's {@code x-request-id} when sane) and returns it as a header. */
@Provider
@ApplicationScoped
@PreMatching
@Priority(1)
public class RequestIdFilter implements ContainerRequestFilter, ContainerResponseFilter {

    public static final String HEADER = "x-request-id";
    public static final String PROPERTY = "switchboard.requestId";

    @Override
    public void filter(ContainerRequestContext request) {
        request.setProperty(PROPERTY, idFor(request.getHeaderString(HEADER)));
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Object id = request.getProperty(PROPERTY);
        if (id != null) response.getHeaders().putSingle(HEADER, id);
    }

    /** The client's id when it is a sane token, else a new one. */
    public static String idFor(String offered) {
        return offered != null && offered.matches("[A-Za-z0-9._:-]{1,128}") ? offered : newId();
    }

    /** 128 random bits; ThreadLocalRandom because SecureRandom's lock shows under load and ids are not secrets. */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "req_" + HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
    }

    public static String of(ContainerRequestContext request) {
        return (String) request.getProperty(PROPERTY);
    }
}
