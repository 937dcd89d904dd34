package io.switchboard.admin.boundary;

import io.switchboard.accounting.control.QueueWaits;
import io.switchboard.accounting.entity.QueueWait;
import io.switchboard.engines.control.EngineEventStore;
import io.switchboard.engines.control.ModelManager;
import io.switchboard.engines.entity.EngineEvent;
import io.switchboard.engines.entity.EngineSnapshot;
import io.switchboard.gateway.entity.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;

/** The model manager as admins see it: engines, GPU memory, events; and force load, unload, sleep. */
@ApplicationScoped
@Path("admin/engines")
@Produces(MediaType.APPLICATION_JSON)
public class EnginesResource {

    @Inject
    ModelManager manager;

    @Inject
    EngineEventStore events;

    @Inject
    QueueWaits waits;

    /** One engine as listed; GiB with three decimals. */
    public record EngineView(String model, String state, Integer gpu, BigDecimal reservedGib, int leases, int waiters,
                             Instant lastUsed, long loads, long evictions, long crashes, Integer port, Long pid,
                             boolean pinned, String lastError, BigDecimal hostGib) {
        static EngineView of(EngineSnapshot e) {
            return new EngineView(e.model(), e.state().name(), e.gpu(), gib(e.reservedBytes()), e.leases(), e.waiters(),
                    Instant.EPOCH.equals(e.lastUsed()) ? null : e.lastUsed(), e.loads(), e.evictions(), e.crashes(),
                    e.port(), e.pid(), e.pinned(), e.lastError(), gib(e.hostBytes()));
        }
    }

    public record GpuView(int index, BigDecimal capacityGib, BigDecimal reservedGib) {
    }

    /** The sleep tier: host memory for sleeping engines' weights. */
    public record HostMemoryView(BigDecimal capacityGib, BigDecimal usedGib) {
    }

    public record EnginesView(List<EngineView> data, List<GpuView> gpus, HostMemoryView hostMemory) {
    }

    public record EventView(long id, Instant at, String model, Integer gpu, String fromState, String toState,
                            Long durationMs, String reason, String detail) {
        static EventView of(EngineEvent e) {
            return new EventView(e.getId(), e.getAt(), e.getModel(), e.getGpu(), e.getFromState(), e.getToState(),
                    e.getDurationMs(), e.getReason(), e.getDetail());
        }
    }

    @GET
    public EnginesView list() {
        List<long[]> memory = manager.view().gpuMemory();
        List<GpuView> gpus = new java.util.ArrayList<>();
        for (int i = 0; i < memory.size(); i++) gpus.add(new GpuView(i, gib(memory.get(i)[0]), gib(memory.get(i)[1])));
        long[] host = manager.view().hostMemory();
        return new EnginesView(manager.view().engines().stream().map(EngineView::of).toList(), gpus,
                new HostMemoryView(gib(host[0]), gib(host[1])));
    }

    @POST
    @Path("{model}/load")
    public Response load(@PathParam("model") String model) {
        manager.commands().load(model);
        return Response.accepted(new Status(model, "loading")).build();
    }

    @POST
    @Path("{model}/unload")
    public Response unload(@PathParam("model") String model) {
        manager.commands().unload(model);
        return Response.accepted(new Status(model, "unloading")).build();
    }

    @POST
    @Path("{model}/sleep")
    public Response sleep(@PathParam("model") String model) {
        manager.commands().sleep(model);
        return Response.accepted(new Status(model, "sleeping")).build();
    }

    public record Status(String model, String status) {
    }

    @GET
    @Path("events")
    public DataList<EventView> events(@QueryParam("model") String model, @QueryParam("since") String since,
                                      @QueryParam("until") String until, @QueryParam("limit") @DefaultValue("100") int limit) {
        return new DataList<>(events.recent(model, instant(since, "since"), instant(until, "until"),
                Math.max(1, Math.min(limit, 1000))).stream().map(EventView::of).toList());
    }

    /**
     * How long requests waited for each model, per time bucket, from {@code since} (default an hour ago) to
     * {@code until} (default now), at most a day: what the swap timeline shows beside its lanes.
     */
    @GET
    @Path("waits")
    public DataList<QueueWait> waits(@QueryParam("since") String since, @QueryParam("until") String until,
                                     @QueryParam("bucket_seconds") String bucket) {
        Instant to = until == null || until.isBlank() ? Instant.now() : instant(until, "until");
        Instant from = since == null || since.isBlank() ? to.minus(java.time.Duration.ofHours(1)) : instant(since, "since");
        if (!from.isBefore(to)) throw ApiException.invalid("since", "'since' must be before 'until'.");
        if (java.time.Duration.between(from, to).compareTo(java.time.Duration.ofDays(1)) > 0) {
            throw ApiException.invalid("since", "The window may be at most a day long.");
        }
        int bucketSeconds = QueryParams.intInRange(bucket, "bucket_seconds", 60, 10, 86_400);
        return new DataList<>(waits.between(from, to, bucketSeconds));
    }

    private static Instant instant(String value, String param) {
        if (value == null || value.isBlank()) return null;
        try {
            return Instant.parse(value.trim());
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.invalid(param, "'" + param + "' must be an ISO-8601 instant such as 2026-12-01T10:00:00Z.");
        }
    }

    private static BigDecimal gib(long bytes) {
        return BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1L << 30), 3, RoundingMode.HALF_UP);
    }
}
