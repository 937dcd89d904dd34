package io.switchboard.inference.boundary;

import io.switchboard.gateway.control.Jsonp;
import io.switchboard.catalog.control.ModelCatalog;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.routing.control.ModelResolver;
import io.switchboard.tenancy.boundary.Caller;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import io.switchboard.gateway.entity.ApiException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;

/**
 * {@code GET /v1/models}: the models and aliases the calling tenant may use, in OpenAI's list
 * shape, and {@code GET /v1/models/{id}} one of them. Served from the catalog snapshot: no database round trip.
 */
@ApplicationScoped
@Path("v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelListResource {

    private static final long ALIAS_CREATED = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();

    @Inject
    ModelCatalog catalog;

    @Inject
    Caller caller;

    @Inject
    ModelResolver resolver;

    /**
     * The list as JSON text. Returned as a string, not a {@code JsonObject}: RESTEasy's JSON-P
     * writer allocates a fresh generator buffer for every response (half of all this endpoint's
     * garbage, measured), while {@code toString} borrows Parsson's pooled one.
     */
    @GET
    public String list() {
        TenantPrincipal tenant = caller.principal();
        JsonArrayBuilder data = Jsonp.array();
        for (ModelSpec model : catalog.enabled()) {
            if (tenant.mayUse(model.name())) data.add(card(model.name(), model.createdAt().getEpochSecond()));
        }
        for (String alias : resolver.aliases(tenant)) data.add(card(alias, ALIAS_CREATED));
        return Jsonp.object().add("object", "list").add("data", data).build().toString();
    }

    /** {@code GET /v1/models/{id}}: one model or alias the caller may use, else OpenAI's 404. */
    @GET
    @Path("{id}")
    public String one(@PathParam("id") String id) {
        TenantPrincipal tenant = caller.principal();
        var model = catalog.find(id).filter(ModelSpec::enabled).filter(m -> tenant.mayUse(m.name()));
        if (model.isPresent()) return card(id, model.get().createdAt().getEpochSecond()).toString();
        if (resolver.isAlias(id, tenant)) return card(id, ALIAS_CREATED).toString();
        throw new ApiException(404, ApiException.INVALID_REQUEST, "model_not_found", "model",
                "The model '" + id + "' does not exist or you do not have access to it.");
    }

    private static JsonObject card(String id, long created) {
        return Jsonp.object()
                .add("id", id)
                .add("object", "model")
                .add("created", created)
                .add("owned_by", "switchboard")
                .build();
    }
}
