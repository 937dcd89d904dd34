package io.switchboard.engines.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One state change of a model's engine (load, ready, evict, crash, ...), kept for admins and billing of swaps. */
@Entity
@Table(name = "engine_event")
public class EngineEvent {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false)
    private Instant at;

    @Column(nullable = false, length = 200)
    private String model;

    private Integer gpu;

    @Column(name = "from_state", nullable = false, length = 20)
    private String fromState;

    @Column(name = "to_state", nullable = false, length = 20)
    private String toState;

    @Column(name = "duration_ms")
    private Long durationMs;

    @Column(nullable = false, length = 100)
    private String reason;

    @Column(columnDefinition = "text")
    private String detail;

    protected EngineEvent() {
    }

    public EngineEvent(Instant at, String model, Integer gpu, EngineState from, EngineState to, Long durationMs,
                       String reason, String detail) {
        this.at = at;
        this.model = model;
        this.gpu = gpu;
        this.fromState = from.name();
        this.toState = to.name();
        this.durationMs = durationMs;
        this.reason = reason;
        this.detail = detail;
    }

    public Long getId() { return id; }
    public Instant getAt() { return at; }
    public String getModel() { return model; }
    public Integer getGpu() { return gpu; }
    public String getFromState() { return fromState; }
    public String getToState() { return toState; }
    public Long getDurationMs() { return durationMs; }
    public String getReason() { return reason; }
    public String getDetail() { return detail; }
}
