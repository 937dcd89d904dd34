package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineSnapshot;

import java.util.Comparator;
import java.util.List;

/**
 * What the admin API, the metrics and the console read of the lifecycle: the engines and the memory
 * they hold, each read under the model manager's lock so that a reading is consistent in itself.
 */
public final class LifecycleView {

    private final ModelManager manager;

    LifecycleView(ModelManager manager) {
        this.manager = manager;
    }

    /** Every engine ever asked for, by model name. */
    public List<EngineSnapshot> engines() {
        synchronized (manager.lock) {
            var now = manager.tasks.now();
            return manager.engines.values().stream().map(e -> Evictions.view(e, now, manager.hostMemory))
                    .sorted(Comparator.comparing(EngineSnapshot::model)).toList();
        }
    }

    /** The sleep tier's host memory: {limit, used by parked weights}, in bytes. */
    public long[] hostMemory() {
        synchronized (manager.lock) {
            return new long[] {manager.settings.hostMemoryBytes(), manager.hostMemory.usedBytes()};
        }
    }

    /** GPU capacity and reservation per GPU, in bytes. */
    public List<long[]> gpuMemory() {
        synchronized (manager.lock) {
            return manager.gpus.snapshot();
        }
    }
}
