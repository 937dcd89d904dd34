package io.switchboard.pricing.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;

import java.time.Instant;

/** One row of {@code model_price}: a model's prices from a date on (sql/V4__pricing_and_usage.sql). */
@Entity
@Table(name = "model_price")
@NamedQuery(name = ModelPrice.ALL, query = "SELECT p FROM ModelPrice p ORDER BY p.model, p.validFrom")
@NamedQuery(name = ModelPrice.OF_MODEL, query = "SELECT p FROM ModelPrice p WHERE p.model = :model ORDER BY p.validFrom")
public class ModelPrice {

    public static final String ALL = "ModelPrice.all";
    public static final String OF_MODEL = "ModelPrice.ofModel";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = 200)
    private String model;

    @Column(name = "valid_from", nullable = false)
    private Instant validFrom;

    @Column(name = "input_micros_per_mtok", nullable = false)
    private long inputMicrosPerMtok;

    @Column(name = "cached_input_micros_per_mtok")
    private Long cachedInputMicrosPerMtok;

    @Column(name = "output_micros_per_mtok", nullable = false)
    private long outputMicrosPerMtok;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    protected ModelPrice() {
    }

    public ModelPrice(String model, Instant validFrom, long inputMicrosPerMtok, Long cachedInputMicrosPerMtok,
                      long outputMicrosPerMtok) {
        this.model = model;
        this.validFrom = validFrom;
        this.inputMicrosPerMtok = inputMicrosPerMtok;
        this.cachedInputMicrosPerMtok = cachedInputMicrosPerMtok;
        this.outputMicrosPerMtok = outputMicrosPerMtok;
    }

    @PrePersist
    void stamp() {
        createdAt = Instant.now();
    }

    public Price toPrice() {
        return new Price(id, model, validFrom, inputMicrosPerMtok, cachedInputMicrosPerMtok, outputMicrosPerMtok);
    }

    public String getModel() { return model; }
    public Instant getValidFrom() { return validFrom; }
    public Instant getCreatedAt() { return createdAt; }
}
