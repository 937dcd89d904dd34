package io.switchboard.pricing.boundary;

import io.switchboard.admin.boundary.DataList;
import io.switchboard.catalog.control.ModelStore;
import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.pricing.control.PriceStore;
import io.switchboard.pricing.control.Prices;
import io.switchboard.pricing.entity.Price;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;

/**
 * A model's price history: {@code GET /admin/models/{name}/prices}, and {@code POST} to add a price from a
 * date on ({@code valid_from}, default now) with {@code input_per_mtok}, {@code cached_input_per_mtok}
 * (optional) and {@code output_per_mtok} in the currency per million tokens.
 */
@ApplicationScoped
@Path("admin/models/{name}/prices")
@Produces(MediaType.APPLICATION_JSON)
public class PricesResource {

    @Inject PriceStore store;
    @Inject ModelStore models;
    @Inject Prices prices;

    @GET
    public DataList<PriceView> list(@PathParam("name") String name) {
        models.find(name); // 404 for an unknown model
        return new DataList<>(store.of(name).stream().map(p -> PriceView.of(p, prices.currency())).toList());
    }

    @POST
    public Response add(@PathParam("name") String name, InputStream body) {
        models.find(name);
        JsonRequest request = JsonRequest.parse(body);
        Price added = store.add(prices.fromRequest(request, name, "valid_from", "input_per_mtok",
                "cached_input_per_mtok", "output_per_mtok", null));
        return Response.status(Response.Status.CREATED).entity(PriceView.of(added, prices.currency())).build();
    }
}
