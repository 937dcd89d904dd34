package io.switchboard.admin.boundary;

import io.switchboard.inference.control.RequestStages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Map;

/**
 * How long Switchboard's own steps on the request path took, since the server started: per stage ({@code route},
 * {@code admit}, {@code record}, {@code settle}, see RequestStages), the non-empty buckets of its cumulative
 * histogram as {@code [upper bound in ns, count]}. Benchmarks read it before and after a phase.
 */
@ApplicationScoped
@Path("admin/stages")
@Produces(MediaType.APPLICATION_JSON)
public class StagesResource {

    @Inject
    RequestStages stages;

    @GET
    public Map<String, List<long[]>> list() {
        return stages.histograms();
    }
}
