package io.switchboard.pricing.control;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.pricing.entity.ModelPrice;
import io.switchboard.pricing.entity.Price;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

import java.util.List;

/** Prices in PostgreSQL. A price row is never changed: a new price is a new row from its date. */
@Stateless
public class PriceStore {

    @PersistenceContext(unitName = "switchboard")
    EntityManager em;

    @Inject
    PriceBook book;

    public List<Price> all() {
        return em.createNamedQuery(ModelPrice.ALL, ModelPrice.class).getResultList().stream().map(ModelPrice::toPrice).toList();
    }

    public List<Price> of(String model) {
        return em.createNamedQuery(ModelPrice.OF_MODEL, ModelPrice.class).setParameter("model", model)
                .getResultList().stream().map(ModelPrice::toPrice).toList();
    }

    public Price add(ModelPrice price) {
        if (of(price.getModel()).stream().anyMatch(p -> p.validFrom().equals(price.getValidFrom()))) {
            throw ApiException.conflict("valid_from", "Model '" + price.getModel() + "' already has a price from "
                    + price.getValidFrom() + "; a price is never changed, add one from another date.");
        }
        em.persist(price);
        em.flush();
        book.forget();
        return price.toPrice();
    }
}
