package io.switchboard.catalog.control;

import io.switchboard.catalog.entity.CatalogModel;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.gateway.entity.ApiException;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

import java.util.List;
import java.util.function.Consumer;

/** The model catalog in PostgreSQL. Changes made here reach {@link ModelCatalog}'s cache at once. */
@Stateless
public class ModelStore {

    @PersistenceContext(unitName = "switchboard")
    EntityManager em;

    @Inject
    ModelCatalog catalog;

    public CatalogModel create(CatalogModel model) {
        if (!byName(model.getName()).isEmpty()) {
            throw ApiException.conflict("name", "A model named '" + model.getName() + "' already exists.");
        }
        em.persist(model);
        em.flush();
        catalog.forget();
        return model;
    }

    public List<CatalogModel> all() {
        return em.createNamedQuery(CatalogModel.ALL, CatalogModel.class).getResultList();
    }

    public List<ModelSpec> allSpecs() {
        return all().stream().map(ModelSpec::of).toList();
    }

    public CatalogModel find(String name) {
        List<CatalogModel> found = byName(name);
        if (found.isEmpty()) throw ApiException.notFound("model_not_found", "No model named '" + name + "' in the catalog.");
        return found.get(0);
    }

    public CatalogModel update(String name, Consumer<CatalogModel> changes) {
        CatalogModel model = find(name);
        changes.accept(model);
        if (!model.getName().equals(name) && !byName(model.getName()).isEmpty()) {
            throw ApiException.conflict("name", "A model named '" + model.getName() + "' already exists.");
        }
        em.flush();
        catalog.forget();
        return model;
    }

    private List<CatalogModel> byName(String name) {
        return em.createNamedQuery(CatalogModel.BY_NAME, CatalogModel.class).setParameter("name", name).getResultList();
    }
}
