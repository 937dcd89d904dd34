package io.switchboard.gateway.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.config.PropertyNamingStrategy;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/** JSON as OpenAI writes it: snake_case field names, and nulls written out rather than dropped. */
@Provider
@ApplicationScoped
public class SnakeCaseJsonb implements ContextResolver<Jsonb> {

    private static final Jsonb JSONB = JsonbBuilder.create(new jakarta.json.bind.JsonbConfig()
            .withPropertyNamingStrategy(PropertyNamingStrategy.LOWER_CASE_WITH_UNDERSCORES)
            .withNullValues(true));

    @Override
    public Jsonb getContext(Class<?> type) {
        return JSONB;
    }
}
