package io.switchboard.admin.boundary;

import io.switchboard.catalog.control.ModelStore;
import io.switchboard.catalog.entity.CatalogModel;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.catalog.entity.EngineType;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.pricing.control.PriceBook;
import io.switchboard.pricing.control.PriceStore;
import io.switchboard.pricing.control.Prices;
import io.switchboard.pricing.entity.ModelPrice;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * The model catalog: what can be served and how its engine starts. The price fields
 * ({@code price_input_per_mtok}, {@code price_cached_input_per_mtok}, {@code price_output_per_mtok},
 * {@code price_valid_from}) add a price row from that date (default now) through the pricing component.
 */
@ApplicationScoped
@Path("admin/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    // what the catalog's column holds: gpu_memory_gib NUMERIC(10, 3) > 0
    private static final BigDecimal GIB_MIN = new BigDecimal("0.001");
    private static final BigDecimal GIB_MAX = new BigDecimal("9999999.999");

    /** Names appear in URLs and in clients' {@code model} field: no slashes or spaces. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");
    private static final String RESERVED_ALIAS = "auto";

    @Inject ModelStore models;
    @Inject PriceStore priceStore;
    @Inject PriceBook priceBook;
    @Inject Prices prices;

    @POST
    public Response create(InputStream body) {
        JsonRequest request = JsonRequest.parse(body);
        CatalogModel model = new CatalogModel();
        model.setName(name(request));
        model.setModelId(request.has("model_id") ? request.requiredString("model_id", 400) : model.getName());
        if (request.optionalDecimal("gpu_memory_gib", GIB_MIN, GIB_MAX, 3) == null) {
            throw ApiException.invalid("gpu_memory_gib", "Missing required parameter: 'gpu_memory_gib'.");
        }
        if (request.optionalInt("max_model_len", 1, Integer.MAX_VALUE) == null) {
            throw ApiException.invalid("max_model_len", "Missing required parameter: 'max_model_len'.");
        }
        apply(request, model);
        requireUrlForRemote(model);
        ModelPrice price = priceIn(request, model.getName());
        CatalogModel created = models.create(model);
        if (price != null) priceStore.add(price);
        return Response.status(Response.Status.CREATED).entity(view(created)).build();
    }

    @GET
    public DataList<ModelView> list() {
        return new DataList<>(models.all().stream().map(this::view).toList());
    }

    @GET
    @Path("{name}")
    public ModelView get(@PathParam("name") String name) {
        return view(models.find(name));
    }

    @PATCH
    @Path("{name}")
    public ModelView update(@PathParam("name") String name, InputStream body) {
        JsonRequest request = JsonRequest.parse(body);
        String newName = request.has("name") ? name(request) : null;
        String modelId = request.has("model_id") ? request.requiredString("model_id", 400) : null;
        ModelPrice price = priceIn(request, newName != null ? newName : name);
        CatalogModel updated = models.update(name, model -> {
            if (newName != null) model.setName(newName);
            if (modelId != null) model.setModelId(modelId);
            apply(request, model);
            requireUrlForRemote(model);
        });
        if (price != null) priceStore.add(price);
        return view(updated);
    }

    @POST
    @Path("{name}/disable")
    public ModelView disable(@PathParam("name") String name) {
        return view(models.update(name, model -> model.setEnabled(false)));
    }

    private ModelView view(CatalogModel model) {
        return ModelView.of(model, priceBook.at(model.getName(), java.time.Instant.now()));
    }

    /** A new price row when the request names any price field; fields left out keep the current price's. */
    private ModelPrice priceIn(JsonRequest request, String model) {
        if (!(request.has("price_input_per_mtok") || request.has("price_output_per_mtok")
                || request.has("price_cached_input_per_mtok"))) {
            return null;
        }
        return prices.fromRequest(request, model, "price_valid_from", "price_input_per_mtok",
                "price_cached_input_per_mtok", "price_output_per_mtok",
                priceBook.at(model, java.time.Instant.now()).orElse(null));
    }

    private static String name(JsonRequest request) {
        String name = request.requiredString("name", 200);
        if (!NAME.matcher(name).matches()) {
            throw ApiException.invalid("name", "'name' may hold letters, digits, '.', '_', ':' and '-' and must "
                    + "start with a letter or digit.");
        }
        if (name.equals(RESERVED_ALIAS)) throw ApiException.invalid("name", "'auto' is reserved for routing.");
        return name;
    }

    /** Applies the optional fields that are present (absent fields keep their value). */
    private static void apply(JsonRequest request, CatalogModel model) {
        if (request.has("engine")) {
            EngineType engine = EngineType.fromWireName(request.requiredString("engine", 20));
            if (engine == null) throw ApiException.invalid("engine", "'engine' must be one of 'vllm', 'sim', 'remote'.");
            model.setEngine(engine);
        }
        if (request.has("gpu_memory_gib")) {
            BigDecimal gib = request.optionalDecimal("gpu_memory_gib", GIB_MIN, GIB_MAX, 3);
            if (gib == null || gib.signum() <= 0) {
                throw ApiException.invalid("gpu_memory_gib", "'gpu_memory_gib' must be a positive number.");
            }
            model.setGpuMemoryGib(gib);
        }
        if (request.has("max_model_len")) {
            Integer length = request.optionalInt("max_model_len", 1, Integer.MAX_VALUE);
            if (length == null) throw ApiException.invalid("max_model_len", "'max_model_len' must not be null.");
            model.setMaxModelLen(length);
        }
        if (request.has("quantization")) model.setQuantization(request.optionalString("quantization", 40));
        if (request.has("extra_args")) {
            var args = request.optionalStringList("extra_args", 1000);
            model.setExtraArgs(args == null ? java.util.List.of() : args);
        }
        if (request.has("pinned")) model.setPinned(flag(request, "pinned"));
        if (request.has("enabled")) model.setEnabled(flag(request, "enabled"));
        if (request.has("sleep_enabled")) model.setSleepEnabled(flag(request, "sleep_enabled"));
        if (request.has("url")) model.setUrl(url(request));
        if (request.has("task")) {
            String task = request.optionalString("task", 20);
            if (!ModelSpec.GENERATE.equals(task) && !ModelSpec.EMBED.equals(task)) {
                throw ApiException.invalid("task", "'task' must be 'generate' or 'embed'.");
            }
            model.setTask(task);
        }
    }

    private static boolean flag(JsonRequest request, String name) {
        Boolean value = request.optionalBoolean(name);
        if (value == null) throw ApiException.invalid(name, "'" + name + "' must be true or false.");
        return value;
    }

    private static String url(JsonRequest request) {
        String url = request.optionalString("url", 1000);
        if (url == null) return null;
        try {
            URI uri = URI.create(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) return url;
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw ApiException.invalid("url", "'url' must be an http(s) URL such as http://gpu-host-1:8000.");
    }

    private static void requireUrlForRemote(CatalogModel model) {
        if (model.getEngine() == EngineType.REMOTE && model.getUrl() == null) {
            throw ApiException.invalid("url", "A model with engine 'remote' needs the 'url' of its vLLM server.");
        }
    }
}
