package io.switchboard.gateway.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts every answered request as {@code switchboard_requests_total{endpoint, method, status}}.
 * The endpoint is the route template ({@code /admin/tenants/{id}}), never the raw path, so the
 * number of series stays bounded whatever clients send.
 */
@Provider
@ApplicationScoped
public class RequestMetricsFilter implements ContainerResponseFilter {

    @Inject
    MetricRegistry metrics;

    @Context
    ResourceInfo resourceInfo;

    /** Looking a counter up by tags costs more than the request it counts; keep them. */
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        String endpoint = endpoint();
        String method = request.getMethod();
        int status = response.getStatus();
        counters.computeIfAbsent(endpoint + ' ' + method + ' ' + status, ignored -> metrics.counter("switchboard_requests",
                new Tag("endpoint", endpoint), new Tag("method", method), new Tag("status", Integer.toString(status))))
                .inc();
    }

    private String endpoint() {
        Class<?> type = resourceInfo == null ? null : resourceInfo.getResourceClass();
        Method method = resourceInfo == null ? null : resourceInfo.getResourceMethod();
        if (type == null || method == null) return "unmatched";
        return join(type.getAnnotation(Path.class), method.getAnnotation(Path.class));
    }

    private static String join(Path typePath, Path methodPath) {
        String path = typePath == null ? "" : typePath.value();
        if (methodPath != null) path = path + "/" + methodPath.value();
        path = ("/" + path).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
