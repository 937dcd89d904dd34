package io.switchboard.inference.boundary;

import io.switchboard.catalog.control.ModelCatalog;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.control.Leases;
import io.switchboard.engines.control.ModelManager;
import io.switchboard.gateway.boundary.ApiException;
import io.switchboard.gateway.boundary.JsonRequest;
import io.switchboard.gateway.boundary.LimitedInputStream;
import io.switchboard.gateway.boundary.OpenAiError;
import io.switchboard.gateway.boundary.RequestIdFilter;
import io.switchboard.inference.control.CompletionValidator;
import io.switchboard.engines.control.EngineHttp;
import io.switchboard.inference.control.OutcomeLog;
import io.switchboard.inference.entity.CompletionRequest;
import io.switchboard.inference.entity.CompletionRequest.Endpoint;
import io.switchboard.tenancy.boundary.TenantCredentials;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}: authenticate, validate as
 * OpenAI does, take a lease on the model's engine (loading it if needed) and relay. A servlet in
 * async mode rather than a JAX-RS resource, because it holds no thread while it waits for a model
 * or streams tokens (liberty-recipe.md 12.3: the fastest relay style measured here).
 */
@WebServlet(urlPatterns = {"/v1/chat/completions", "/v1/completions"}, asyncSupported = true)
public class CompletionsServlet extends HttpServlet {

    static final String AUTO = "auto";

    @Inject TenantCredentials credentials;
    @Inject ModelCatalog catalog;
    @Inject ModelManager manager;
    Leases leases;
    @Inject EngineHttp http;
    @Inject OutcomeLog outcomes;
    @Inject ClientWatch clients;

    @Inject @ConfigProperty(name = "switchboard.max-request-bytes", defaultValue = "10485760") long maxRequestBytes;
    @Inject @ConfigProperty(name = "switchboard.engines.max-wait-seconds", defaultValue = "300") int maxWaitSeconds;
    @Inject @ConfigProperty(name = "switchboard.inference.first-byte-timeout-seconds", defaultValue = "600") int firstByteTimeoutSeconds;

    @Override
    public void init() {
        leases = manager.leases();
    }

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
            ModelSpec model = resolve(completion.model(), tenant);
            new InferenceExchange(this, request.startAsync(), requestId, tenant, completion, body, model, started).begin();
        } catch (RuntimeException failure) {
            ApiException error = OpenAiError.of(failure);
            outcomes.recordRejection(requestId, endpoint, error.status());
            OpenAiError.write(response, error);
        }
    }

    /**
     * A concrete catalog model the tenant may use. Until routing rules exist, the alias
     * {@code auto} means the tenant's first pinned model (the one kept resident), else its first model.
     */
    private ModelSpec resolve(String name, TenantPrincipal tenant) {
        Optional<ModelSpec> model = AUTO.equals(name)
                ? catalog.enabled().stream().filter(m -> tenant.mayUse(m.name()))
                .min(Comparator.comparing((ModelSpec m) -> !m.pinned()).thenComparing(ModelSpec::name))
                : catalog.find(name).filter(ModelSpec::enabled).filter(m -> tenant.mayUse(m.name()));
        return model.orElseThrow(() -> new ApiException(404, ApiException.INVALID_REQUEST, "model_not_found", "model",
                "The model `" + name + "` does not exist or you do not have access to it."));
    }

    Duration maxWait() {
        return Duration.ofSeconds(maxWaitSeconds);
    }

    Duration firstByteTimeout() {
        return Duration.ofSeconds(firstByteTimeoutSeconds);
    }
}
