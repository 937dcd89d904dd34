package io.switchboard.catalog.entity;

/**
 * How a model's engine is run: {@code vllm} starts {@code vllm serve} as a child process,
 * {@code sim} starts the bundled simulator the same way, {@code remote} attaches to a vLLM
 * that runs elsewhere at the model's {@code url}.
 */
public enum EngineType {
    VLLM, SIM, REMOTE;

    public String wireName() {
        return name().toLowerCase();
    }

    public static EngineType fromWireName(String name) {
        for (EngineType type : values()) {
            if (type.wireName().equals(name)) return type;
        }
        return null;
    }
}
