package io.switchboard.gateway.boundary;

import io.switchboard.gateway.entity.ApiException;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * The error page (web.xml) for what the web container refuses before any servlet runs: a request path
 * with characters it will not decode ({@code %00}, an encoded slash or dot segment: Liberty's
 * CWWWC0005I, answered 400) gets OpenAI's error shape here instead of Liberty's HTML. Anything else
 * that reaches an error page goes through {@link OpenAiError#of}, logged once as unexpected.
 */
@WebServlet(urlPatterns = ContainerErrorServlet.PATH)
public class ContainerErrorServlet extends HttpServlet {

    static final String PATH = "/errors/container";

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object failure = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        String message = String.valueOf(request.getAttribute(RequestDispatcher.ERROR_MESSAGE));
        int code = status instanceof Integer i ? i : 500;
        ApiException error;
        if (status == null && failure == null) { // asked for directly, not as an error page: nothing here
            error = ApiException.notFound("unknown_url", "Unknown request URL: " + request.getMethod() + " "
                    + request.getRequestURI() + ". Please check the URL for typos.");
        } else if (message.contains("CWWWC0005I") || (failure instanceof Throwable t && String.valueOf(t.getMessage()).contains("CWWWC0005I"))) {
            error = new ApiException(400, ApiException.INVALID_REQUEST, "invalid_path", null,
                    "The request path has characters that may not be encoded in it (a NUL, an encoded slash, backslash or"
                            + " dot segment, or a malformed escape). Please check the URL.");
        } else if (code >= 400 && code < 500) {
            error = new ApiException(code, ApiException.INVALID_REQUEST, null, null, "The request could not be processed.");
        } else {
            error = OpenAiError.of(failure instanceof Throwable t ? t : new IllegalStateException("error page reached: " + message),
                    (String) request.getAttribute(RequestIdFilter.PROPERTY));
        }
        if (!response.isCommitted()) {
            response.reset();
            OpenAiError.write(response, error);
        }
    }
}
