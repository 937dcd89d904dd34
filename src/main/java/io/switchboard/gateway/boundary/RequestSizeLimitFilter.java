package io.switchboard.gateway.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

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

    static final class LimitedInputStream extends FilterInputStream {
        private final long limit;
        private long read;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count(1);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) count(n);
            return n;
        }

        private void count(int n) throws RequestTooLargeException {
            read += n;
            if (read > limit) throw new RequestTooLargeException(limit);
        }
    }
}
