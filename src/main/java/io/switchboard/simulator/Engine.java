package io.switchboard.simulator;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The simulated engine behind the HTTP API: continuous batching with {@code --max-num-seqs}
 * slots (more requests wait, FIFO, skipping those whose LoRA adapter has no free slot as vLLM's
 * scheduler does), time per output token that grows with the running batch, KV cache use,
 * sleep state, LoRA adapters and the faults a test can switch on.
 */
final class Engine {

    enum SleepState {
        AWAKE("awake"), LEVEL_1("weights_offloaded"), LEVEL_2("discard_all");

        final String metricName;

        SleepState(String metricName) {
            this.metricName = metricName;
        }
    }

    /** A request's place in the scheduler. */
    static final class Ticket {
        final String lora;
        final long arrivedNanos = System.nanoTime();
        long admittedNanos;
        long kvTokens;
        boolean admitted;
        boolean cancelled;

        Ticket(String lora) {
            this.lora = lora;
        }
    }

    record Adapter(String name, String path, String baseModelName) {
    }

    final ServeArgs args;
    final ModelProfile profile;
    final Metrics metrics;
    final List<String> servedNames;
    final int maxModelLen;
    final long kvCapacityTokens;
    final double timeScale;
    private final int maxNumSeqs;
    private final int maxLoras;

    private final Object lock = new Object();
    private final ArrayDeque<Ticket> waiting = new ArrayDeque<>();
    private final Map<String, Integer> runningByLora = new HashMap<>();
    private int running;
    private final AtomicLong kvTokensInUse = new AtomicLong();

    final Map<String, Adapter> adapters = new LinkedHashMap<>();
    final PrefixCache prefixCache;
    volatile SleepState sleepState = SleepState.AWAKE;
    /** Level 2 discarded the weights: after waking, output is garbage until weights are reloaded. */
    volatile boolean weightsDiscarded;

    // faults
    volatile boolean hung;
    volatile boolean crashOnWake;
    volatile double errorRate;
    volatile Integer cutStreamsAfter;
    volatile Integer streamErrorsAfter;

    Engine(ServeArgs args, ModelProfile profile, int maxModelLen, long kvCapacityTokens) {
        this.args = args;
        this.profile = profile;
        this.servedNames = args.list("--served-model-name").isEmpty() ? List.of(args.model) : args.list("--served-model-name");
        this.metrics = new Metrics(servedNames.get(0));
        this.maxModelLen = maxModelLen;
        this.kvCapacityTokens = kvCapacityTokens;
        this.timeScale = args.number("--sim-time-scale");
        this.maxNumSeqs = args.integer("--max-num-seqs");
        this.maxLoras = args.integer("--max-loras");
        this.errorRate = args.number("--sim-error-rate");
        this.cutStreamsAfter = args.has("--sim-cut-stream-after") ? args.integer("--sim-cut-stream-after") : null;
        this.prefixCache = new PrefixCache(args.integer("--block-size"), kvCapacityTokens);
    }

    /**
     * Whether this engine is a pooling (embedding) model, as vLLM decides: {@code --runner pooling},
     * {@code --convert embed}, or under {@code --runner auto} an embedding architecture, known here by its name.
     */
    boolean pooling() {
        String runner = args.string("--runner");
        if (runner.equals("pooling") || args.string("--convert").equals("embed")) return true;
        if (!runner.equals("auto")) return false;
        String id = args.model.toLowerCase(java.util.Locale.ROOT);
        return id.contains("embed") || id.contains("bge-") || id.contains("/e5-") || id.contains("gte-")
                || id.contains("minilm") || id.contains("mpnet");
    }

    String modelName() {
        return servedNames.get(0);
    }

    // ---- scheduling ----

    /** Waits until the request may run; answers false when it was cancelled while waiting. */
    boolean admit(Ticket ticket) throws InterruptedException {
        synchronized (lock) {
            waiting.addLast(ticket);
            try {
                while (!ticket.cancelled && !schedulable(ticket)) lock.wait();
            } finally {
                waiting.remove(ticket);
            }
            if (ticket.cancelled) {
                lock.notifyAll();
                return false;
            }
            running++;
            if (ticket.lora != null) runningByLora.merge(ticket.lora, 1, Integer::sum);
            ticket.admitted = true;
            ticket.admittedNanos = System.nanoTime();
            lock.notifyAll(); // the next waiter may fit too
            return true;
        }
    }

    /** The first waiter that fits a free slot goes: FCFS, but a request never waits for another's LoRA slot. */
    private boolean schedulable(Ticket ticket) {
        if (running >= maxNumSeqs) return false;
        for (Iterator<Ticket> it = waiting.iterator(); it.hasNext(); ) {
            Ticket candidate = it.next();
            if (candidate.cancelled) continue;
            if (loraFits(candidate)) return candidate == ticket;
        }
        return false;
    }

    private boolean loraFits(Ticket ticket) {
        return ticket.lora == null || runningByLora.containsKey(ticket.lora) || runningByLora.size() < maxLoras;
    }

    void finish(Ticket ticket) {
        synchronized (lock) {
            if (ticket.admitted) {
                running--;
                if (ticket.lora != null) runningByLora.computeIfPresent(ticket.lora, (k, n) -> n == 1 ? null : n - 1);
                ticket.admitted = false;
                kvTokensInUse.addAndGet(-ticket.kvTokens);
                ticket.kvTokens = 0;
            } else {
                ticket.cancelled = true;
            }
            lock.notifyAll();
        }
    }

    void useKvTokens(Ticket ticket, long tokens) {
        ticket.kvTokens += tokens;
        kvTokensInUse.addAndGet(tokens);
    }

    int running() {
        synchronized (lock) {
            return running;
        }
    }

    int waiting() {
        synchronized (lock) {
            return waiting.size();
        }
    }

    double kvUsage() {
        return kvCapacityTokens == 0 ? 0 : Math.min(1.0, (double) kvTokensInUse.get() / kvCapacityTokens);
    }

    List<String> runningLoras() {
        synchronized (lock) {
            return List.copyOf(runningByLora.keySet());
        }
    }

    List<String> waitingLoras() {
        synchronized (lock) {
            return waiting.stream().map(t -> t.lora).filter(l -> l != null).distinct().toList();
        }
    }

    // ---- timing ----

    /** Prefill: a fixed cost plus a cost per prompt token, in scaled milliseconds. */
    double prefillMillis(int promptTokens) {
        return (args.number("--sim-ttft-ms") + args.number("--sim-prefill-ms-per-token") * promptTokens) * timeScale;
    }

    /** Decode step with the current batch: every further running sequence slows each token a little. */
    double tokenMillis() {
        int batch = Math.max(1, running());
        return profile.tpotMillis * (1 + args.number("--sim-batch-slowdown") * (batch - 1)) * timeScale;
    }

    /** Sleeps a simulated duration; nothing at all at time scale 0. */
    static void pause(double millis) throws InterruptedException {
        if (millis <= 0) return;
        long nanos = (long) (millis * 1_000_000);
        long deadline = System.nanoTime() + nanos;
        if (nanos > 2_000_000) Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        while (System.nanoTime() < deadline) {
            if (Thread.interrupted()) throw new InterruptedException();
            LockSupport.parkNanos(deadline - System.nanoTime());
        }
    }

    boolean failThisRequest() {
        double rate = errorRate;
        return rate > 0 && ThreadLocalRandom.current().nextDouble() < rate;
    }

    /** A hung engine answers nothing, ever (until killed). */
    void blockIfHung() {
        while (hung) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    String loraInfoLabels() {
        if (!args.flag("--enable-lora")) return null;
        return "max_lora=\"" + maxLoras + "\",running_lora_adapters=\"" + String.join(",", runningLoras())
                + "\",waiting_lora_adapters=\"" + String.join(",", waitingLoras()) + "\"";
    }
}
