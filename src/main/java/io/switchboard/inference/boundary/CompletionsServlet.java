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
import io.switchboard.inference.control.PromptEstimate;
import io.switchboard.inference.entity.InferenceCall;
import io.switchboard.pricing.control.PriceBook;
import io.switchboard.quotas.control.Admission;
import io.switchboard.quotas.control.QuotaLedger;
import io.switchboard.tenancy.entity.RefusedKey;
import io.switchboard.routing.control.ModelResolver;
import io.switchboard.routing.control.TraitReader;
import io.switchboard.routing.entity.Route;
import io.switchboard.tenancy.boundary.TenantCredentials;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.time.Instant;

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
    @Inject QuotaLedger quotas;
    @Inject PriceBook prices;
    @Inject @ConfigProperty(name = "switchboard.max-request-bytes", defaultValue = "10485760") long maxRequestBytes;

    static final String END_USER_HEADER = "x-switchboard-user";

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long started = System.nanoTime();
        Instant startedAt = Instant.now();
        String requestId = RequestIdFilter.newId();
        String clientRequestId = RequestIdFilter.clientId(request.getHeader(RequestIdFilter.CLIENT_HEADER),
                request.getHeader(RequestIdFilter.HEADER));
        response.setHeader(RequestIdFilter.HEADER, requestId);
        if (clientRequestId != null) response.setHeader(RequestIdFilter.CLIENT_HEADER, clientRequestId);
        Endpoint endpoint = request.getServletPath().endsWith("/chat/completions") ? Endpoint.CHAT : Endpoint.COMPLETIONS;
        TenantPrincipal tenant = null;
        CompletionRequest completion = null;
        Admission admission = null;
        try {
            tenant = credentials.require(request.getHeader("Authorization"));
            if (!request.getMethod().equals("POST")) {
                throw new ApiException(405, ApiException.INVALID_REQUEST, "method_not_allowed", null,
                        "Method " + request.getMethod() + " is not allowed on " + endpoint.path + "; use POST.");
            }
            if (request.getContentLengthLong() > maxRequestBytes) throw ApiException.tooLarge(maxRequestBytes);
            byte[] body = JsonRequest.readAll(new LimitedInputStream(request.getInputStream(), maxRequestBytes),
                    request.getContentLengthLong());
            completion = CompletionValidator.validate(endpoint, JsonRequest.parse(body));
            Route route = resolver.resolve(completion.model(), tenant, endpoint == Endpoint.CHAT ? "chat" : "completions",
                    completion.body(), request.getHeader(TraitReader.QUALITY_HEADER));
            ModelSpec model = route.model();
            // before admission, so that a 429 says it too; the exchange names the fallback's model should that serve
            response.setHeader("x-switchboard-route", route.label());
            if (route.choice() != null) response.setHeader("x-switchboard-route-reason", route.choice());
            response.setHeader("x-switchboard-model", model.name());
            InferenceCall call = new InferenceCall(requestId, clientRequestId, tenant,
                    endUser(request.getHeader(END_USER_HEADER), completion), completion, started, startedAt, 0);
            long prompt = PromptEstimate.upperBound(completion.body());
            long generated = maxTokens(completion.body(), endpoint == Endpoint.CHAT ? model.maxModelLen() : 16);
            call = call.reserving(prompt + generated);
            admission = admit(call, model, prompt, generated);
            admission.headers().forEach(response::setHeader);
            relay.relay(request.startAsync(), call, admission, body, route);
            admission = null; // the exchange settles it now
        } catch (RuntimeException failure) {
            if (admission != null) quotas.settle(admission, 0, 0L); // admitted, then never relayed
            ApiException error = OpenAiError.of(failure, requestId);
            Long tenantId = tenant != null ? Long.valueOf(tenant.tenantId()) : failure instanceof RefusedKey refused ? refused.tenantId() : null;
            Long keyId = tenant != null ? Long.valueOf(tenant.keyId()) : failure instanceof RefusedKey refused ? refused.keyId() : null;
            outcomes.recordRejection(requestId, clientRequestId, tenantId, keyId, endpoint,
                    completion == null ? null : completion.model(), error.status(), startedAt, started, error.getMessage());
            OpenAiError.write(response, error);
        }
    }

    /**
     * Reserves the request's worst case against its limits: a bound on its prompt tokens plus the most it may
     * generate (max_tokens; absent, the model's context length for chat, vLLM's 16 for completions), and what
     * those would cost at the model's price now (looked up only for a caller that has limits).
     */
    private Admission admit(InferenceCall call, ModelSpec model, long prompt, long generated) {
        if (!quotas.limits(call.tenant(), call.endUser())) return Admission.NONE;
        long cost = prices.at(model.name(), call.startedAt())
                .map(price -> price.costPicos(prompt, 0, generated)).orElse(0L);
        return quotas.admit(call.tenant(), call.endUser(), prompt + generated, cost);
    }

    static long maxTokens(jakarta.json.JsonObject body, long absent) {
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            if (body.get(field) instanceof jakarta.json.JsonNumber number && number.isIntegral()) {
                return Math.max(0, number.longValue());
            }
        }
        return absent;
    }

    /** The end user inside the tenant: the header wins over the body's {@code user} (a proxy in front may set it). */
    static String endUser(String header, CompletionRequest completion) {
        if (header != null && !header.isBlank()) return header.length() <= 256 ? header.strip() : header.strip().substring(0, 256);
        return completion.body().get("user") instanceof jakarta.json.JsonString user && !user.getString().isEmpty()
                ? user.getString() : null;
    }
}
