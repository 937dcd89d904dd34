package io.switchboard.routing.control;

import io.switchboard.catalog.control.ModelCatalog;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which catalog model serves a request that names a model or an alias: the one place where that is
 * decided (routing rules will grow here). A concrete name is that model, if enabled and the tenant may
 * use it. Until rules exist, the alias {@code auto} means the tenant's first pinned model (the one kept
 * resident), else its first model by name.
 */
@ApplicationScoped
public class ModelResolver {

    public static final String AUTO = "auto";

    @Inject
    ModelCatalog catalog;

    public ModelResolver() {
    }

    ModelResolver(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    /** The model that serves {@code requested} for this tenant, or OpenAI's 404 {@code model_not_found}. */
    public ModelSpec resolve(String requested, TenantPrincipal tenant) {
        Optional<ModelSpec> model = AUTO.equals(requested)
                ? catalog.enabled().stream().filter(m -> tenant.mayUse(m.name()))
                .min(Comparator.comparing((ModelSpec m) -> !m.pinned()).thenComparing(ModelSpec::name))
                : catalog.find(requested).filter(ModelSpec::enabled).filter(m -> tenant.mayUse(m.name()));
        return model.orElseThrow(() -> new ApiException(404, ApiException.INVALID_REQUEST, "model_not_found", "model",
                "The model `" + requested + "` does not exist or you do not have access to it."));
    }

    /** The aliases a tenant may name besides concrete models, as {@code GET /v1/models} lists them. */
    public List<String> aliases(TenantPrincipal tenant) {
        return List.of(AUTO);
    }
}
