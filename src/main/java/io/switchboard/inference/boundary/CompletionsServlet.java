package io.switchboard.inference.boundary;

import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.gateway.boundary.OpenAiError;
import io.switchboard.gateway.boundary.RequestIdFilter;
import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.gateway.control.LimitedInputStream;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.inference.control.CompletionValidator;
import io.switchboard.inference.control.OutcomeLog;
import io.switchboard.inference.entity.CompletionRequest;
import io.switchboard.inference.entity.CompletionRequest.Endpoint;
import io.switchboard.routing.control.ModelResolver;
import io.switchboard.tenancy.boundary.TenantCredentials;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}: authenticate, validate as
 * OpenAI does, resolve the model and hand the request to the {@link InferenceRelay}. A servlet in
 * async mode rather than a JAX-RS resource, because it holds no thread while it waits for a model
 * or streams tokens (the fastest relay style measured here, docs/architecture.md).
 */
@WebServlet(urlPatterns = {"/v1/chat/completions", "/v1/completions"}, asyncSupported = true)
public class CompletionsServlet extends HttpServlet {

    @Inject TenantCredentials credentials;
    @Inject ModelResolver resolver;
    @Inject InferenceRelay relay;
    @Inject OutcomeLog outcomes;
    @Inject @ConfigProperty(name = "switchboard.max-request-bytes", defaultValue = "10485760") long maxRequestBytes;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long started = System.nanoTime();
        String requestId = RequestIdFilter.idFor(request.getHeader(RequestIdFilter.HEADER));
        response.setHeader(RequestIdFilter.HEADER, requestId);
        Endpoint endpoint = request.getServletPath().endsWith("/chat/completions") ? Endpoint.CHAT : Endpoint.COMPLETIONS;
        try {
            TenantPrincipal tenant = credentials.require(request.getHeader("Authorization"));
            if (!request.getMethod().equals("POST")) {
                throw new ApiException(405, ApiException.INVALID_REQUEST, "method_not_allowed", null,
                        "Method " + request.getMethod() + " is not allowed on " + endpoint.path + "; use POST.");
            }
            if (request.getContentLengthLong() > maxRequestBytes) throw ApiException.tooLarge(maxRequestBytes);
            byte[] body = JsonRequest.readAll(new LimitedInputStream(request.getInputStream(), maxRequestBytes),
                    request.getContentLengthLong());
            CompletionRequest completion = CompletionValidator.validate(endpoint, JsonRequest.parse(body));
            ModelSpec model = resolver.resolve(completion.model(), tenant);
            relay.relay(request.startAsync(), requestId, tenant, completion, body, model, started);
        } catch (RuntimeException failure) {
            ApiException error = OpenAiError.of(failure, requestId);
            outcomes.recordRejection(requestId, endpoint, error.status());
            OpenAiError.write(response, error);
        }
    }
}
