package io.switchboard.it;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Responses API's stored responses as a tenant's tools use them: {@code previous_response_id} echoed as
 * OpenAI echoes it (the engine never sees it: Switchboard resolves the conversation), {@code store: false}
 * keeping nothing, cancel and delete of one's own and of another tenant's response, a response made on one
 * replica continued on another, and the retention: its expiry set from the setting and an expired response purged.
 */
class StoredResponsesIT {

    static String chatModel;
    static String apiKey;
    static String otherKey;
    static OpenAIClient openAi;

    @BeforeAll
    static void models() {
        Engines.reset();
        chatModel = Engines.small("stored", false);
        apiKey = Tenants.named("stored").allowedModels(chatModel).createWithKey().getString("key");
        otherKey = Tenants.named("stored-other").allowedModels(chatModel).createWithKey().getString("key");
        openAi = client(Switchboard.BASE_URL);
    }

    static OpenAIClient client(String baseUrl) {
        return OpenAIOkHttpClient.builder().baseUrl(baseUrl + "/v1").apiKey(apiKey).build();
    }

    static Response ask(OpenAIClient client, String input, String previous) {
        ResponseCreateParams.Builder params = ResponseCreateParams.builder().model(chatModel).input(input).maxOutputTokens(4);
        if (previous != null) params.previousResponseId(previous);
        return client.responses().create(params.build());
    }

    @Test
    void aContinuedResponseNamesItsPreviousResponsePlainStreamedAndStored() {
        Response first = ask(openAi, "first", null);
        assertTrue(first.previousResponseId().isEmpty(), "a first turn names none");

        Response second = ask(openAi, "second", first.id());
        assertEquals(first.id(), second.previousResponseId().orElse(null));
        assertEquals(first.id(), openAi.responses().retrieve(second.id()).previousResponseId().orElse(null));

        List<String> named = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = openAi.responses().createStreaming(ResponseCreateParams.builder()
                .model(chatModel).input("third").previousResponseId(second.id()).maxOutputTokens(4).build())) {
            stream.stream().forEach(event -> {
                event.created().ifPresent(e -> named.add("created " + e.response().previousResponseId().orElse(null)));
                event.inProgress().ifPresent(e -> named.add("in_progress " + e.response().previousResponseId().orElse(null)));
                event.completed().ifPresent(e -> named.add("completed " + e.response().previousResponseId().orElse(null)));
            });
        }
        assertEquals(List.of("created " + second.id(), "in_progress " + second.id(), "completed " + second.id()), named);
    }

    @Test
    void aResponseMadeWithStoreFalseCannotBeReadOrContinued() {
        Response unstored = openAi.responses().create(ResponseCreateParams.builder().model(chatModel).input("forget it")
                .maxOutputTokens(3).store(false).build());
        assertFalse(unstored.output().isEmpty());

        Switchboard.Reply read = Switchboard.tenant("GET", "/v1/responses/" + unstored.id(), apiKey, null);
        assertEquals(404, read.status(), read::toString);
        Switchboard.Reply continued = Switchboard.tenant("POST", "/v1/responses", apiKey, "{\"model\":\"" + chatModel
                + "\",\"input\":\"more\",\"previous_response_id\":\"" + unstored.id() + "\"}");
        assertEquals(404, continued.status(), continued::toString);
        assertEquals("previous_response_not_found", continued.error().getString("code"));
    }

    @Test
    void aForegroundResponseCannotBeCancelledAndAnotherTenantCanNeitherCancelNorDeleteIt() {
        Response mine = ask(openAi, "keep it", null);

        Switchboard.Reply cancel = Switchboard.tenant("POST", "/v1/responses/" + mine.id() + "/cancel", apiKey, null);
        assertEquals(400, cancel.status(), cancel::toString);
        assertTrue(cancel.error().getString("message").contains("background"), cancel::toString);
        for (String[] call : new String[][] {{"POST", "/cancel"}, {"DELETE", ""}}) {
            Switchboard.Reply theirs = Switchboard.tenant(call[0], "/v1/responses/" + mine.id() + call[1], otherKey, null);
            assertEquals(404, theirs.status(), theirs::toString);
            assertEquals("response_id", theirs.error().getString("param"));
        }
        assertEquals(200, Switchboard.tenant("GET", "/v1/responses/" + mine.id(), apiKey, null).status(), "still there");
        assertEquals(404, Switchboard.tenant("POST", "/v1/responses/resp_nosuch/cancel", apiKey, null).status());
    }

    /** The status of a follow-up turn on {@code previousId}. */
    static int continuing(OpenAIClient client, String previousId) {
        try {
            ask(client, "again", previousId);
            return 200;
        } catch (com.openai.errors.OpenAIServiceException refused) {
            return refused.statusCode();
        }
    }

    @Test
    void aSecondReplicaContinuesAResponseMadeOnTheFirstAndPurgesWhatOutlivedItsRetention() throws SQLException {
        Response onFirst = ask(openAi, "made here", null);
        try (SecondServer replica = new SecondServer("switchboard-it-responses", 19182)) {
            replica.start(Map.of("SWITCHBOARD_RESPONSES_RETENTION_DAYS", "2", "SWITCHBOARD_RESPONSES_PURGE_INTERVAL_SECONDS", "1"));
            OpenAIClient there = client(replica.baseUrl());
            assertEquals(onFirst.id(), there.responses().retrieve(onFirst.id()).id());
            Response onSecond = ask(there, "continued there", onFirst.id());
            assertEquals(onFirst.id(), onSecond.previousResponseId().orElse(null));
            assertEquals(onSecond.id(), openAi.responses().retrieve(onSecond.id()).id(), "and read back on the first");

            // the replica now knows both conversations in memory: a deletion on the first server reaches it
            Response doomed = ask(openAi, "to be deleted", null);
            ask(there, "continued there too", doomed.id());
            assertEquals(200, Switchboard.tenant("DELETE", "/v1/responses/" + doomed.id(), apiKey, null).status());
            Engines.eventually(Duration.ofSeconds(5), () -> continuing(there, doomed.id()) == 404,
                    () -> "a response deleted on another server is not continued from memory");
            assertEquals(404, continuing(openAi, doomed.id()), "nor on the server that deleted it");

            assertEquals(Duration.ofDays(2).toSeconds(), sqlLong("SELECT EXTRACT(EPOCH FROM expires_at - created_at)::bigint "
                    + "FROM stored_response WHERE id = '" + onSecond.id() + "'"), "the replica's retention");
            assertEquals(Duration.ofDays(30).toSeconds(), sqlLong("SELECT EXTRACT(EPOCH FROM expires_at - created_at)::bigint "
                    + "FROM stored_response WHERE id = '" + onFirst.id() + "'"), "the default retention");

            RoutingIT.sql("UPDATE stored_response SET expires_at = now() - interval '1 second' WHERE id = '" + onFirst.id() + "'");
            assertEquals(404, Switchboard.tenant("GET", "/v1/responses/" + onFirst.id(), apiKey, null).status(), "expired");
            Engines.eventually(Duration.ofSeconds(5), () -> continuing(there, onFirst.id()) == 404,
                    () -> "an expiry moved in SQL reaches the replica's memory");
            Engines.eventually(Duration.ofSeconds(10), () -> sqlLong("SELECT count(*) FROM stored_response WHERE id = '"
                    + onFirst.id() + "'") == 0, () -> "the expired response is purged");
            assertEquals(1, sqlLong("SELECT count(*) FROM stored_response WHERE id = '" + onSecond.id() + "'"), "the live one stays");
        }
    }

    private static long sqlLong(String query) {
        try (Connection db = RoutingIT.database(); Statement s = db.createStatement(); ResultSet result = s.executeQuery(query)) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
