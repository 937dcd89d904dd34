package io.switchboard.responses.control;

import io.switchboard.gateway.control.Jsonp;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.responses.entity.StoredResponse;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Responses API's conversations, kept by Switchboard rather than by the engine (vLLM keeps its store in
 * process memory, off by default, lost when a model is evicted): a request that names a
 * {@code previous_response_id} is sent to the engine with that response's whole conversation, its input and
 * its output items, before its own input; a response made with {@code store} (OpenAI's default) is kept for
 * {@code switchboard.responses.retention-days} and purged after that, every
 * {@code switchboard.responses.purge-interval-seconds} (an hour).
 */
@ApplicationScoped
public class Conversations {

    private static final Logger LOG = Logger.getLogger(Conversations.class.getName());

    @Inject ResponseStore store;
    @Inject RecentConversations recent;
    @Inject ResponseWriter writer;
    @Inject @ConfigProperty(name = "switchboard.responses.retention-days", defaultValue = "30") int retentionDays;
    @Inject @ConfigProperty(name = "switchboard.responses.purge-interval-seconds", defaultValue = "3600") long purgeIntervalSeconds;
    @Resource ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> purging;

    @PostConstruct
    void start() {
        long every = Math.max(1, purgeIntervalSeconds);
        purging = scheduler.scheduleWithFixedDelay(this::purge, Math.min(60, every), every, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        if (purging != null) purging.cancel(false);
    }

    private void purge() {
        try {
            int purged = store.purgeExpired();
            if (purged > 0) LOG.info("Purged " + purged + " stored responses past their retention of " + retentionDays + " days.");
        } catch (RuntimeException failure) {
            LOG.log(Level.WARNING, "Could not purge expired stored responses; will try again at the next purge", failure);
        }
    }

    /**
     * The conversation so far that {@code previous_response_id} names, for the engine as the start of its input (404
     * if it names none of the tenant's): as JSON text, never parsed on this path (an agent's conversation grows with
     * every turn, and each turn names the one before).
     */
    public ResponseStore.Conversation earlier(TenantPrincipal tenant, String previousResponseId) {
        return earlier(tenant.tenantId(), previousResponseId).orElseThrow(() -> new ApiException(404,
                ApiException.INVALID_REQUEST, "previous_response_not_found", "previous_response_id",
                "Previous response with id '" + previousResponseId + "' not found."));
    }

    /** The conversation up to the tenant's response {@code id}: from memory when this server knows it, else the database. */
    private Optional<ResponseStore.Conversation> earlier(long tenantId, String id) {
        Optional<ResponseStore.Conversation> known = recent.find(tenantId, id);
        if (known.isPresent()) return known;
        return store.conversation(tenantId, id).map(found -> {
            recent.remember(tenantId, id, found);
            return found;
        });
    }

    /** Two JSON arrays' text as one array's. */
    public static String joined(String first, String second) {
        if (first.equals("[]")) return second;
        if (second.equals("[]")) return first;
        return first.substring(0, first.length() - 1) + "," + second.substring(1);
    }

    /** A request's own input as items, in JSON text: a string is one user message. */
    public static String items(JsonValue input) {
        if (input instanceof JsonArray list) return list.toString();
        JsonArrayBuilder items = Jsonp.array();
        if (input instanceof JsonString text) items.add(Jsonp.object().add("role", "user").add("content", text));
        return items.build().toString();
    }

    /**
     * Keeps a response the engine gave (a whole answer, or a stream's {@code response.completed} event) with the
     * conversation it was given ({@code engineInput}, JSON items; null: the request's own input), unless the request
     * said {@code store: false}. Called before the client has the answer, so that its next turn finds it; a failure
     * to keep it is logged and does not fail the answer.
     */
    public void keep(TenantPrincipal tenant, String requestId, String model, JsonObject request, String engineInput, String answer) {
        if (request.get("store") == JsonValue.FALSE) return;
        try {
            JsonObject parsed = Jsonp.parseObject(answer);
            JsonObject response = parsed.get("response") instanceof JsonObject event ? event : parsed;
            Instant now = Instant.now();
            JsonValue output = response.get("output");
            String input = engineInput != null ? engineInput : items(request.get("input"));
            String outputItems = output instanceof JsonArray ? output.toString() : "[]";
            Instant expires = now.plus(Duration.ofDays(retentionDays));
            writer.save(new StoredResponse(response.getString("id"), tenant.tenantId(), tenant.keyId(), requestId, model,
                    input, outputItems, response.toString(), now, expires));
            recent.remember(tenant.tenantId(), response.getString("id"), // its next turn
                    new ResponseStore.Conversation(joined(input, outputItems), tokens(response.get("usage")), expires));
        } catch (RuntimeException failure) {
            LOG.log(Level.SEVERE, "Could not store the response of request " + requestId, failure);
        }
    }

    /** The tokens a response's usage counts in its conversation (input and output); -1 when it has none. */
    private static long tokens(JsonValue usage) {
        if (!(usage instanceof JsonObject counts) || !(counts.get("input_tokens") instanceof jakarta.json.JsonNumber in)
                || !(counts.get("output_tokens") instanceof jakarta.json.JsonNumber out)) return -1;
        return in.longValue() + out.longValue();
    }
}
