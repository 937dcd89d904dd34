package io.switchboard.inference.boundary;

import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.gateway.boundary.AnthropicError;
import io.switchboard.gateway.boundary.OpenAiError;
import io.switchboard.gateway.control.Jsonp;
import io.switchboard.responses.control.Conversations;
import io.switchboard.responses.control.ResponseStore;
import jakarta.json.JsonString;
import io.switchboard.gateway.boundary.RequestIdFilter;
import io.switchboard.gateway.control.JsonFieldRewrite;
import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.gateway.control.LimitedInputStream;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.inference.control.CompletionValidator;
import io.switchboard.inference.control.OutcomeLog;
import io.switchboard.inference.entity.CompletionRequest;
import io.switchboard.inference.entity.CompletionRequest.Endpoint;
import io.switchboard.inference.control.PromptEstimate;
import io.switchboard.inference.control.RequestStages;
import io.switchboard.inference.control.RequestStages.Stage;
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
 * The inference endpoints, {@code POST /v1/chat/completions}, {@code /v1/completions}, {@code /v1/responses},
 * {@code /v1/messages} (and {@code /v1/messages/count_tokens}) and {@code /v1/embeddings}: authenticate (a Bearer
 * key, or Anthropic's {@code x-api-key}), validate as each API does, resolve the model, admit against the
 * quotas and hand the request to the {@link InferenceRelay}; every one of them through the same steps, so each
 * is routed, admitted, billed and rowed alike. A servlet in async mode rather than a JAX-RS resource, because
 * it holds no thread while it waits for a model or streams tokens (the fastest relay style measured here,
 * docs/architecture.md).
 */
@WebServlet(urlPatterns = {"/v1/chat/completions", "/v1/completions", "/v1/responses", "/v1/messages",
        "/v1/messages/count_tokens", "/v1/embeddings"}, asyncSupported = true)
public class CompletionsServlet extends HttpServlet {

    @Inject TenantCredentials credentials;
    @Inject ModelResolver resolver;
    @Inject InferenceRelay relay;
    @Inject OutcomeLog outcomes;
    @Inject QuotaLedger quotas;
    @Inject PriceBook prices;
    @Inject RequestStages stages;
    @Inject Conversations conversations;
    @Inject @ConfigProperty(name = "switchboard.max-request-bytes", defaultValue = "10485760") long maxRequestBytes;

    static final String END_USER_HEADER = "x-switchboard-user";

    /** The body, which parsed as a JSON object, with a member added last (JSON's whitespace after it is allowed). */
    private static byte[] appended(byte[] body, String field, String json) {
        byte[] appended = JsonFieldRewrite.appendJson(body, field, json);
        if (appended == null) throw ApiException.invalid(null, "The request body must be a JSON object.");
        return appended;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long started = System.nanoTime();
        Instant startedAt = Instant.now();
        String requestId = RequestIdFilter.newId();
        String clientRequestId = RequestIdFilter.clientId(request.getHeader(RequestIdFilter.CLIENT_HEADER),
                request.getHeader(RequestIdFilter.HEADER));
        response.setHeader(RequestIdFilter.HEADER, requestId);
        if (clientRequestId != null) response.setHeader(RequestIdFilter.CLIENT_HEADER, clientRequestId);
        Endpoint endpoint = Endpoint.ofPath(request.getServletPath());
        TenantPrincipal tenant = null;
        CompletionRequest completion = null;
        String endUser = null; // once the body is read: a refusal (a 429 of the end user's limit) is theirs too
        Admission admission = null;
        try {
            tenant = credentials.require(authorization(request));
            if (!request.getMethod().equals("POST")) {
                throw new ApiException(405, ApiException.INVALID_REQUEST, "method_not_allowed", null,
                        "Method " + request.getMethod() + " is not allowed on " + endpoint.path + "; use POST.");
            }
            if (request.getContentLengthLong() > maxRequestBytes) throw ApiException.tooLarge(maxRequestBytes);
            byte[] body = JsonRequest.readAll(new LimitedInputStream(request.getInputStream(), maxRequestBytes),
                    request.getContentLengthLong());
            completion = CompletionValidator.validate(endpoint, JsonRequest.parse(body));
            endUser = endUser(request.getHeader(END_USER_HEADER), completion);
            long routing = System.nanoTime();
            Route route = resolver.resolve(completion.model(), tenant, endpoint.routeName,
                    completion.body(), request.getHeader(TraitReader.QUALITY_HEADER));
            if (!Route.DIRECT.equals(route.label())) stages.since(Stage.ROUTE, routing); // through the rules
            ModelSpec model = route.model();
            if (endpoint.generates() == model.embeds()) {
                throw ApiException.invalid("model", "The model `" + completion.model() + "` does not support the "
                        + endpoint.apiName + (model.embeds() ? " (it is an embedding model)." : " (it is not an embedding model)."));
            }
            if (endpoint == Endpoint.RESPONSES) { // the conversation so far, as the engine's input; the response id ours
                String responseId = "resp_" + requestId.substring(requestId.indexOf('_') + 1);
                String previous = completion.body().get("previous_response_id") instanceof JsonString id ? id.getString() : null;
                // the client's bytes with fields appended (the last of two equal keys wins): the body is not rebuilt
                body = appended(body, "request_id", Jsonp.value(responseId).toString());
                if (previous != null) { // a follow-up: the earlier turns as the engine's input, before the request's own
                    ResponseStore.Conversation earlier = conversations.earlier(tenant, previous);
                    String engineInput = Conversations.joined(earlier.items(), Conversations.items(completion.body().get("input")));
                    completion = completion.continuing(new CompletionRequest.Earlier(previous, engineInput, earlier.tokens()));
                    body = appended(body, "previous_response_id", "null"); // the engine's own store has none
                    body = appended(body, "input", engineInput); // last: the one copy of the body with the conversation
                }
            }
            // before admission, so that a 429 says it too; the exchange names the fallback's model should that serve
            response.setHeader("x-switchboard-route", route.label());
            if (route.choice() != null) response.setHeader("x-switchboard-route-reason", route.choice());
            response.setHeader("x-switchboard-model", model.name());
            InferenceCall call = new InferenceCall(requestId, clientRequestId, tenant, endUser, completion, started, startedAt, 0);
            long prompt = PromptEstimate.upperBound(completion);
            long generated = switch (endpoint) {
                case CHAT, RESPONSES, MESSAGES -> maxTokens(completion.body(), model.maxModelLen());
                case COMPLETIONS -> maxTokens(completion.body(), 16);
                case COUNT_TOKENS, EMBEDDINGS -> 0;
            };
            call = call.reserving(prompt + generated);
            long admitting = System.nanoTime();
            admission = admit(call, model, prompt, generated);
            if (admission != Admission.NONE) stages.since(Stage.ADMIT, admitting); // a caller with limits
            admission.headers().forEach(response::setHeader);
            relay.relay(request.startAsync(), call, admission, body, route);
            admission = null; // the exchange settles it now
        } catch (RuntimeException failure) {
            if (admission != null) quotas.settle(admission, 0, 0L); // admitted, then never relayed
            ApiException error = OpenAiError.of(failure, requestId);
            Long tenantId = tenant != null ? Long.valueOf(tenant.tenantId()) : failure instanceof RefusedKey refused ? refused.tenantId() : null;
            Long keyId = tenant != null ? Long.valueOf(tenant.keyId()) : failure instanceof RefusedKey refused ? refused.keyId() : null;
            outcomes.recordRejection(requestId, clientRequestId, tenantId, keyId, endUser, endpoint,
                    completion == null ? null : completion.model(), error.status(), startedAt, started, error.getMessage());
            if (endpoint.anthropic()) AnthropicError.write(response, error, requestId); else OpenAiError.write(response, error);
        }
    }

    /** The caller's key: a Bearer key, or where none is sent, {@code x-api-key} as Anthropic's SDKs send it. */
    static String authorization(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        String apiKey = request.getHeader("x-api-key");
        return authorization == null && apiKey != null && !apiKey.isBlank() ? "Bearer " + apiKey.strip() : authorization;
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
        for (String field : new String[] {"max_completion_tokens", "max_tokens", "max_output_tokens"}) {
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
