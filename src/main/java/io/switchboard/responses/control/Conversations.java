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

    /** The request's input, as a list of items, after the conversation {@code previous_response_id} names (404 if it names none of the tenant's). */
    public JsonArray input(TenantPrincipal tenant, JsonObject request) {
        JsonArrayBuilder items = Jsonp.array();
        if (request.get("previous_response_id") instanceof JsonString previous) {
            String earlier = earlier(tenant.tenantId(), previous.getString()).orElseThrow(() -> new ApiException(404,
                    ApiException.INVALID_REQUEST, "previous_response_not_found", "previous_response_id",
                    "Previous response with id '" + previous.getString() + "' not found."));
            Jsonp.parseArray(earlier).forEach(items::add);
        }
        addItems(items, request.get("input"));
        return items.build();
    }

    /** The conversation up to the tenant's response {@code id}: from memory when this server knows it, else the database. */
    private Optional<String> earlier(long tenantId, String id) {
        Optional<String> known = recent.find(tenantId, id);
        if (known.isPresent()) return known;
        return store.conversation(tenantId, id).map(found -> {
            recent.remember(tenantId, id, found.items(), found.expiresAt());
            return found.items();
        });
    }

    /** Two JSON arrays' text as one array's. */
    static String joined(String first, String second) {
        if (first.equals("[]")) return second;
        if (second.equals("[]")) return first;
        return first.substring(0, first.length() - 1) + "," + second.substring(1);
    }

    /** The input the engine was given, as items (a first turn's may be a string). */
    private static String conversation(JsonValue input) {
        if (input instanceof JsonArray list) return list.toString();
        JsonArrayBuilder items = Jsonp.array();
        addItems(items, input);
        return items.build().toString();
    }

    /** A request's input as items: a string is one user message. */
    private static void addItems(JsonArrayBuilder items, JsonValue input) {
        if (input instanceof JsonString text) {
            items.add(Jsonp.object().add("role", "user").add("content", text));
        } else if (input instanceof JsonArray list) {
            list.forEach(items::add);
        }
    }

    /**
     * Keeps a response the engine gave (a whole answer, or a stream's {@code response.completed} event) with the
     * conversation it was given, unless the request said {@code store: false}. Called before the client has the
     * answer, so that its next turn finds it; a failure to keep it is logged and does not fail the answer.
     */
    public void keep(TenantPrincipal tenant, String requestId, String model, JsonObject request, String answer) {
        if (request.get("store") == JsonValue.FALSE) return;
        try {
            JsonObject parsed = Jsonp.parseObject(answer);
            JsonObject response = parsed.get("response") instanceof JsonObject event ? event : parsed;
            Instant now = Instant.now();
            JsonValue output = response.get("output");
            String input = conversation(request.get("input"));
            String outputItems = output instanceof JsonArray ? output.toString() : "[]";
            Instant expires = now.plus(Duration.ofDays(retentionDays));
            writer.save(new StoredResponse(response.getString("id"), tenant.tenantId(), tenant.keyId(), requestId, model,
                    input, outputItems, response.toString(), now, expires));
            recent.remember(tenant.tenantId(), response.getString("id"), joined(input, outputItems), expires); // its next turn
        } catch (RuntimeException failure) {
            LOG.log(Level.SEVERE, "Could not store the response of request " + requestId, failure);
        }
    }
}
