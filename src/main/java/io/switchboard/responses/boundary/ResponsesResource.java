package io.switchboard.responses.boundary;

import io.switchboard.gateway.control.Jsonp;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.responses.control.RecentConversations;
import io.switchboard.responses.control.ResponseStore;
import io.switchboard.responses.entity.StoredResponse;
import io.switchboard.tenancy.boundary.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET}, {@code DELETE /v1/responses/{id}} and {@code POST /v1/responses/{id}/cancel}: the caller's own
 * stored responses only; another tenant's id is answered 404 exactly as an unknown one, so nothing tells
 * that it exists. Every response Switchboard relays is synchronous, so a cancel is answered as OpenAI
 * answers one for a response that is not running in the background.
 */
@ApplicationScoped
@Path("v1/responses/{id}")
@Produces(MediaType.APPLICATION_JSON)
public class ResponsesResource {

    @Inject ResponseStore store;
    @Inject RecentConversations recent;
    @Inject Caller caller;

    @GET
    public String retrieve(@PathParam("id") String id) {
        return stored(id).response();
    }

    @DELETE
    public String delete(@PathParam("id") String id) {
        if (!store.delete(caller.principal().tenantId(), id)) throw notFound(id);
        recent.forget(id); // at once here; the other servers hear it from the table's NOTIFY
        return Jsonp.object().add("id", id).add("object", "response.deleted").add("deleted", true).build().toString();
    }

    @POST
    @Path("cancel")
    public String cancel(@PathParam("id") String id) {
        stored(id);
        throw new ApiException(400, ApiException.INVALID_REQUEST, null, "response_id",
                "Only responses created with background set to true can be cancelled.");
    }

    private StoredResponse stored(String id) {
        return store.find(caller.principal().tenantId(), id).orElseThrow(() -> notFound(id));
    }

    private static ApiException notFound(String id) {
        return new ApiException(404, ApiException.INVALID_REQUEST, null, "response_id", "Response with id '" + id + "' not found.");
    }
}
