package io.switchboard.gateway.boundary;

import io.switchboard.gateway.entity.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * JAX-RS's side of the one error path ({@link OpenAiError}): what the framework itself refuses (an
 * unknown URL, a wrong method, an unreadable parameter) as OpenAI's 4xx, everything else as
 * {@link OpenAiError#of} says.
 */
@Provider
@ApplicationScoped
public class ApiExceptionMapper implements ExceptionMapper<Throwable> {

    @Context
    UriInfo uriInfo;

    @Context
    jakarta.ws.rs.core.Request request;

    @Context
    HttpServletRequest servletRequest; // request properties are its attributes in a servlet container

    @Override
    public Response toResponse(Throwable failure) {
        ApiException error = OpenAiError.known(failure);
        if (error == null) error = frameworkRefusal(failure, request.getMethod(), uriInfo.getPath());
        if (error == null) error = OpenAiError.of(failure, (String) servletRequest.getAttribute(RequestIdFilter.PROPERTY));
        Response.ResponseBuilder response = Response.status(error.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(OpenAiError.json(error));
        error.headers().forEach(response::header);
        return response.build();
    }

    private static ApiException frameworkRefusal(Throwable failure, String method, String path) {
        if (failure instanceof NotFoundException) {
            return ApiException.notFound("unknown_url", "Unknown request URL: " + method + " /"
                    + stripSlash(path) + ". Please check the URL for typos.");
        }
        if (failure instanceof NotAllowedException) {
            return new ApiException(405, ApiException.INVALID_REQUEST, "method_not_allowed", null,
                    "Method " + method + " is not allowed on /" + stripSlash(path) + ".");
        }
        if (failure instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
            return new ApiException(web.getResponse().getStatus(), ApiException.INVALID_REQUEST, null, null,
                    web.getMessage() == null ? "The request could not be processed." : web.getMessage());
        }
        return null;
    }

    private static String stripSlash(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }
}
