package io.switchboard.gateway.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place that writes error bodies: {@code {"error": {"message", "type", "param", "code"}}}
 * with OpenAI's status codes. A failure that is not an {@link ApiException} is our fault: it is
 * logged with its request id and answered 500 without internals.
 */
@Provider
@ApplicationScoped
public class ApiExceptionMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(ApiExceptionMapper.class.getName());

    @Context
    UriInfo uriInfo;

    @Context
    jakarta.ws.rs.core.Request request;

    @Override
    public Response toResponse(Throwable failure) {
        ApiException error = asApiException(failure, request.getMethod(), uriInfo.getPath());
        if (error.status() == 500) {
            LOG.log(Level.SEVERE, "Request failed: " + error.getMessage(), failure);
        }
        Response.ResponseBuilder response = Response.status(error.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(OpenAiError.json(error));
        error.headers().forEach(response::header);
        return response.build();
    }

    static ApiException asApiException(Throwable failure, String method, String path) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) return api;
            if (t instanceof RequestTooLargeException tooLarge) return ApiException.tooLarge(tooLarge.limitBytes());
        }
        if (databaseUnavailable(failure)) {
            return new ApiException(503, "server_error", "service_unavailable", null,
                    "The database is unavailable; please retry shortly.").withHeader("Retry-After", "5");
        }
        if (failure instanceof NotFoundException) {
            return ApiException.notFound("unknown_url", "Unknown request URL: " + method + " /"
                    + stripSlash(path) + ". Please check the URL for typos.");
        }
        if (failure instanceof NotAllowedException) {
            return new ApiException(405, ApiException.INVALID_REQUEST, "method_not_allowed", null,
                    "Method " + method + " is not allowed on /" + stripSlash(path) + ".");
        }
        if (failure instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
            int status = web.getResponse().getStatus();
            return new ApiException(status, ApiException.INVALID_REQUEST, null, null,
                    web.getMessage() == null ? "The request could not be processed." : web.getMessage());
        }
        return new ApiException(500, "server_error", null, null,
                "The server had an error while processing your request. Sorry about that!");
    }

    /** Connection failures (SQLState classes 08 and 28, 57P0x shutdowns) are an outage, not a bug. */
    private static boolean databaseUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) return true;
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("28")
                    || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    private static String stripSlash(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }
}
