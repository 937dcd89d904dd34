package io.switchboard.catalog.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;
import jakarta.persistence.Table;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A model Switchboard can serve, and what its engine needs: the GPU memory it reserves
 * (weights plus KV cache), its context length and launch arguments. Its prices are the pricing component's (model_price).
 */
@Entity
@Table(name = "catalog_model")
@NamedQuery(name = CatalogModel.ALL, query = "SELECT m FROM CatalogModel m ORDER BY m.name")
@NamedQuery(name = CatalogModel.BY_NAME, query = "SELECT m FROM CatalogModel m WHERE m.name = :name")
public class CatalogModel {

    public static final String ALL = "CatalogModel.all";
    public static final String BY_NAME = "CatalogModel.byName";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = 200)
    private String name;

    /** Lowercase wire name ({@code vllm}, {@code sim}, {@code remote}), as admins write it in SQL. */
    @Column(nullable = false, length = 20)
    private String engine = EngineType.VLLM.wireName();

    @Column(name = "model_id", nullable = false, length = 400)
    private String modelId;

    @Column(name = "gpu_memory_gib", nullable = false, precision = 10, scale = 3)
    private BigDecimal gpuMemoryGib;

    @Column(name = "max_model_len", nullable = false)
    private int maxModelLen;

    @Column(length = 40)
    private String quantization;

    @Column(name = "extra_args", nullable = false)
    private String[] extraArgs = new String[0];

    @Column(nullable = false)
    private boolean pinned;

    @Column(nullable = false)
    private boolean enabled = true;

    @Column(name = "sleep_enabled", nullable = false)
    private boolean sleepEnabled;

    /** {@link ModelSpec#GENERATE} or {@link ModelSpec#EMBED}. */
    @Column(name = "task", nullable = false, length = 20)
    private String task = ModelSpec.GENERATE;

    @Column(length = 1000)
    private String url;



    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @PrePersist
    void onCreate() {
        createdAt = Instant.now();
        updatedAt = createdAt;
    }

    @PreUpdate
    void onUpdate() {
        updatedAt = Instant.now();
    }

    public Long getId() { return id; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public EngineType getEngine() { return EngineType.fromWireName(engine); }
    public void setEngine(EngineType engine) { this.engine = engine.wireName(); }
    public String getModelId() { return modelId; }
    public void setModelId(String modelId) { this.modelId = modelId; }
    public BigDecimal getGpuMemoryGib() { return gpuMemoryGib; }
    public void setGpuMemoryGib(BigDecimal gpuMemoryGib) { this.gpuMemoryGib = gpuMemoryGib; }
    public int getMaxModelLen() { return maxModelLen; }
    public void setMaxModelLen(int maxModelLen) { this.maxModelLen = maxModelLen; }
    public String getQuantization() { return quantization; }
    public void setQuantization(String quantization) { this.quantization = quantization; }
    public List<String> getExtraArgs() { return List.of(extraArgs); }
    public void setExtraArgs(List<String> extraArgs) { this.extraArgs = extraArgs.toArray(String[]::new); }
    public boolean isPinned() { return pinned; }
    public void setPinned(boolean pinned) { this.pinned = pinned; }
    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public boolean isSleepEnabled() { return sleepEnabled; }
    public String getTask() { return task; }
    public void setTask(String task) { this.task = task; }
    public void setSleepEnabled(boolean sleepEnabled) { this.sleepEnabled = sleepEnabled; }
    public String getUrl() { return url; }
    public void setUrl(String url) { this.url = url; }
    public Instant getCreatedAt() { return createdAt; }
    public Instant getUpdatedAt() { return updatedAt; }
}
