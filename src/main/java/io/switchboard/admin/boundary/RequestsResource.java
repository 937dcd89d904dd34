package io.switchboard.admin.boundary;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.inference.control.OutcomeLog;
import io.switchboard.inference.entity.RequestOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** How a recent inference request ended, by its {@code x-request-id} (the last 1,000 are kept in memory, see OutcomeLog). */
@ApplicationScoped
@Path("admin/requests")
@Produces(MediaType.APPLICATION_JSON)
public class RequestsResource {

    @Inject
    OutcomeLog outcomes;

    @GET
    @Path("{requestId}")
    public RequestOutcome get(@PathParam("requestId") String requestId) {
        return outcomes.find(requestId).orElseThrow(() -> ApiException.notFound("request_not_found",
                "No recent request with id '" + requestId + "'."));
    }
}
