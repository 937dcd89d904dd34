package io.switchboard.inference.boundary;

import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.control.Lease;
import io.switchboard.engines.entity.EngineRefusal;
import io.switchboard.routing.entity.Route;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.gateway.boundary.AnthropicError;
import io.switchboard.gateway.boundary.OpenAiError;
import io.switchboard.inference.control.EngineStream;
import io.switchboard.inference.control.NullFieldFill;
import io.switchboard.inference.control.UsageScanner;
import io.switchboard.inference.control.CompletionValidator;
import io.switchboard.inference.entity.CompletionRequest;
import io.switchboard.accounting.entity.UsageRecord;
import io.switchboard.inference.entity.InferenceCall;
import io.switchboard.quotas.control.Admission;
import io.switchboard.inference.entity.RequestOutcome;
import io.switchboard.inference.control.PromptEstimate;
import io.switchboard.inference.control.RequestStages;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One relayed inference request (any endpoint: chat, completions, responses, messages, embeddings), from the
 * lease to the last byte; errors take the endpoint's API's shape. Non-streamed answers are
 * passed through whole; streams are relayed as the engine sends them: the events of each network read
 * go out together in one write and flush, as bytes (see {@link SseEvents}), the usage chunk passed on
 * only if the client asked for it. A client that goes
 * away (seen at the next write; heartbeat comments make sure there is one) cancels the upstream
 * request, which makes vLLM abort it. An engine that dies mid-stream ends the stream with an
 * error event. A model the lifecycle refuses before anything went out gives way to the route's fallback
 * ({@link #fallBack}). Exactly one outcome is recorded and the lease released exactly once.
 * It is one class past 400 lines because the exchange's states (waiting, falling back, relaying, answered,
 * settled, finished) are its fields, touched by four threads; split, they would have to be shared between objects.
 */
final class InferenceExchange implements Flow.Subscriber<List<ByteBuffer>> {

    private static final int CLIENT_CLOSED = EngineFailures.CLIENT_CLOSED;

    private final InferenceRelay relay;
    private final AsyncContext async;
    private final HttpServletResponse response;
    private final InferenceCall call;
    private final Admission admission;
    private final String requestId;
    private final CompletionRequest request;
    private final byte[] clientBody;
    private volatile Route route;
    private volatile ModelSpec model; // the route's model: its fallback's once that serves
    private final long startedNanos;

    private final EngineStream stream;
    private final NullFieldFill echo; // the Responses API's previous_response_id, resolved here, echoed to the client
    private final InOrder steps; // a stream's reads, written in order on a pool thread
    private final ReentrantLock writeLock = new ReentrantLock(); // a heartbeat never waits behind a blocked write
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile boolean committed;
    private volatile long lastWriteNanos = System.nanoTime();
    private volatile long firstTokenNanos;
    private volatile CompletableFuture<Lease> pending;
    private volatile Lease lease;
    private volatile CompletableFuture<?> upstream;
    private volatile Flow.Subscription subscription;
    private final String clientAddress;
    private final int clientPort;
    private final int localPort;
    private final Duration clientWait; // how long the client said it waits, or null
    private volatile boolean connectionSeen;
    private volatile boolean answering;
    private volatile String engineFailure;
    private volatile UsageScanner.Usage answerUsage; // a whole answer's; a stream's are its EngineStream's
    private volatile String answerFinishReason;

    InferenceExchange(InferenceRelay relay, AsyncContext async, InferenceCall call, Admission admission,
                      byte[] clientBody, Route route) {
        this.relay = relay;
        this.admission = admission;
        this.async = async;
        this.response = (HttpServletResponse) async.getResponse();
        this.call = call;
        this.requestId = call.requestId();
        this.request = call.request();
        this.clientBody = clientBody;
        this.route = route;
        this.model = route.model();
        this.startedNanos = call.startedNanos();
        this.echo = request.previousResponseId() == null ? null : new NullFieldFill("previous_response_id", request.previousResponseId());
        this.stream = new EngineStream(request.clientWantsUsage(), request.endpoint().lastEvent).filling(echo);
        this.steps = new InOrder(relay.streamWriters);
        this.clientAddress = TcpConnections.normalised(async.getRequest().getRemoteAddr());
        this.clientPort = async.getRequest().getRemotePort();
        this.localPort = async.getRequest().getLocalPort();
        this.clientWait = ClientWait.of((HttpServletRequest) async.getRequest());
        async.setTimeout(0); // streams last as long as they last; limits are ours, not the container's
    }

    void begin() {
        relay.clients.watch(this); // from here on, a client that leaves is noticed
        acquire();
    }

    /** A lease on the route's model; refused before anything went out, its fallback's instead (see {@link #fallBack}). */
    private void acquire() {
        Route serving = route;
        response.setHeader("x-switchboard-model", model.name());
        if (serving.fallbackReason() != null) response.setHeader("x-switchboard-fallback", serving.fallbackReason());
        Duration wait = serving.fallback() != null && serving.maxQueueWaitMs() != null
                ? Duration.ofMillis(serving.maxQueueWaitMs()) : relay.maxWait();
        pending = relay.leases().acquire(model, wait, String.valueOf(call.tenant().tenantId()),
                call.tenant().fairShareWeight(), call.reservedTokens(), clientWait);
        pending.whenComplete((granted, failure) -> {
            if (failure != null) {
                if (!finished.get() && !fallBack(EngineFailures.unwrap(failure))) {
                    fail(OpenAiError.of(EngineFailures.unwrap(failure), requestId)); // else the client left: its wait was called off
                }
            } else if (finished.get()) {
                granted.release(true); // the client left while it waited
            } else {
                relay(granted);
            }
        });
    }

    /**
     * The route's fallback serves when its model was refused in a way a fallback helps with (cannot fit, failed,
     * backing off, queue full, waited too long), as long as nothing has gone to the client yet.
     */
    private boolean fallBack(Throwable failure) {
        Route serving = route;
        if (serving.fallback() == null || !(failure instanceof EngineRefusal refusal) || committed) return false;
        String reason = Route.fallbackReason(refusal.reason());
        if (reason == null) return false;
        route = serving.fallenBack(reason);
        model = route.model();
        acquire();
        return true;
    }

    // ---- relaying ----

    private void relay(Lease granted) {
        lease = granted;
        if (finished.get()) { // the client left just now; finish() may not have seen the lease (release is idempotent)
            granted.release(true);
            return;
        }
        granted.onEngineFailure(this::engineFailed);
        // the client's bytes as they came when nothing needs changing; else the body rebuilt
        byte[] body = CompletionValidator.upstreamBytes(request, clientBody, model.name());
        HttpRequest upstreamRequest = HttpRequest.newBuilder(granted.baseUri().resolve(request.endpoint().path))
                .timeout(relay.firstByteTimeout()) // until the engine's response headers
                .header("Content-Type", "application/json")
                .header("X-Request-Id", requestId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        if (request.stream()) {
            // the client does its own work on its selector thread (no hand-offs while the request is sent and
            // its headers read); each read's writing goes on to this stream's pool thread (a write may block)
            CompletableFuture<HttpResponse<Void>> call = relay.http.directClient().sendAsync(upstreamRequest,
                    info -> info.statusCode() == 200
                            ? HttpResponse.BodySubscribers.<InferenceExchange, Void>fromSubscriber(this, s -> null)
                            : HttpResponse.BodySubscribers.<byte[], Void>mapping(HttpResponse.BodySubscribers.ofByteArray(),
                            bytes -> {
                                steps.run(() -> engineAnswered(info.statusCode(), bytes));
                                return null;
                            }));
            upstream = call; // the call itself: cancelling it is what closes the engine connection
            call.whenComplete((ignored, failure) -> {
                if (failure != null) steps.run(() -> fail(EngineFailures.of(EngineFailures.unwrap(failure), model.name(), engineFailure)));
            });
        } else {
            // a whole answer: the client's selector thread only hands it to one of Liberty's threads, which
            // writes it. From the body subscriber, not from the call's future: the JDK completes that one
            // on the common pool, a thread hand-off more per request.
            CompletableFuture<HttpResponse<Void>> call = relay.http.directClient().sendAsync(upstreamRequest,
                    info -> HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofByteArray(), bytes -> {
                        onLibertyThread(() -> engineAnswered(info.statusCode(), bytes));
                        return null;
                    }));
            upstream = call;
            call.whenComplete((ignored, failure) -> {
                if (failure != null) onLibertyThread(() -> fail(EngineFailures.of(EngineFailures.unwrap(failure), model.name(), engineFailure)));
            });
        }
    }

    private void onLibertyThread(Runnable work) {
        if (finished.get()) return; // the client left, or the engine failed, meanwhile
        try {
            async.start(work);
        } catch (IllegalStateException completedMeanwhile) {
            // finished between the check and the hand-off: nothing left to answer
        }
    }

    /**
     * A whole answer (non-streamed, or a stream the engine refused): 2xx and 4xx pass through (on the Messages
     * endpoints a 4xx in Anthropic's shape), 5xx become 502.
     */
    private void engineAnswered(int status, byte[] bytes) {
        if (status >= 500) {
            fail(new ApiException(502, "server_error", "engine_error", null,
                    "The engine serving '" + model.name() + "' failed to process the request: " + EngineFailures.message(bytes)));
            return;
        }
        if (status >= 400 && request.endpoint().anthropic()) { // vLLM refuses some Messages in OpenAI's envelope
            fail(new ApiException(status, ApiException.INVALID_REQUEST, null, null, EngineFailures.messageNamingItsField(bytes)));
            return;
        }
        if (status == 200 && request.endpoint() == CompletionRequest.Endpoint.EMBEDDINGS) {
            // vectors are most of the bytes and the usage comes last: only the tail is read
            int from = Math.max(0, bytes.length - 512);
            answerUsage = UsageScanner.ofAnswer(new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8));
            if (answerUsage == null) answerUsage = UsageScanner.ofAnswer(new String(bytes, StandardCharsets.UTF_8));
        } else if (status == 200 && request.endpoint() == CompletionRequest.Endpoint.COUNT_TOKENS) {
            answerUsage = new UsageScanner.Usage(0, 0, null); // counting a prompt is no inference: a row, billed nothing, as Anthropic's
        } else if (status == 200) {
            if (echo != null) bytes = echo.fill(bytes);
            String answer = new String(bytes, StandardCharsets.UTF_8);
            answerUsage = UsageScanner.ofAnswer(answer);
            answerFinishReason = UsageScanner.finishReason(answer);
            keepResponse(answer);
        }
        if (committed) {
            fail(new ApiException(status, ApiException.INVALID_REQUEST, null, null, EngineFailures.message(bytes)));
            return;
        }
        answering = true; // the client watch leaves it alone now
        try {
            response.setStatus(status);
            response.setContentType("application/json");
            response.setContentLength(bytes.length);
            settle(status, status == 200 ? null : EngineFailures.message(bytes)); // the row is safe before the client has the answer
            ServletOutputStream out = response.getOutputStream();
            out.write(bytes);
            out.flush();
            finish(status, status == 200 ? null : EngineFailures.message(bytes));
        } catch (IOException clientGone) {
            finish(CLIENT_CLOSED, "client closed the connection");
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (finished.get()) {
            s.cancel();
            return;
        }
        s.request(1); // the headers go out with the first event, in one write
    }

    /** What one network read brought: its complete events go out together, in one write and flush, at once (see {@link EngineStream}). */
    @Override
    public void onNext(List<ByteBuffer> buffers) {
        steps.run(() -> relayed(buffers));
    }

    private void relayed(List<ByteBuffer> buffers) {
        int length = stream.read(buffers);
        if (firstTokenNanos == 0 && stream.sawToken()) firstTokenNanos = System.nanoTime();
        if (stream.sawError()) engineFailure = "the engine reported an error mid-stream";
        if (stream.sawDone() && engineFailure == null) keepResponse(stream.lastPayload());
        if (stream.sawDone()) settle(engineFailure == null ? 200 : 502, engineFailure); // before [DONE] goes out
        if (length > 0) write(stream.output(), length);
        Flow.Subscription s = subscription;
        if (s != null && !finished.get()) s.request(1);
    }

    @Override
    public void onError(Throwable failure) {
        steps.run(() -> fail(EngineFailures.of(failure, model.name(), engineFailure)));
    }

    @Override
    public void onComplete() {
        steps.run(this::ended);
    }

    private void ended() {
        int length = stream.end();
        if (stream.sawError()) engineFailure = "the engine reported an error mid-stream";
        if (stream.sawDone()) settle(engineFailure == null ? 200 : 502, engineFailure);
        if (length > 0) write(stream.output(), length);
        if (!stream.sawDone()) {
            fail(new ApiException(502, "server_error", "engine_error", null,
                    "The stream from the engine serving '" + model.name() + "' ended before it was complete."));
        } else {
            finish(engineFailure == null ? 200 : 502, engineFailure);
        }
    }

    // ---- failures ----

    private void engineFailed(String reason) {
        engineFailure = reason;
        Flow.Subscription s = subscription;
        if (s != null) s.cancel();
        CompletableFuture<?> call = upstream;
        if (call != null) call.cancel(true);
        // after the reads already handed over: a stream's error event is numbered after its last event
        steps.run(() -> fail(new ApiException(503, "server_error", "engine_failed", null, reason)));
    }

    /** Answers the error: a JSON error if nothing was sent yet, else an SSE error event and [DONE]. */
    private void fail(ApiException error) {
        if (finished.get()) return;
        if (error.status() == CLIENT_CLOSED) {
            finish(CLIENT_CLOSED, "client closed the connection");
            return;
        }
        settle(error.status(), error.getMessage());
        try {
            writeLock.lock(); // a keep-alive written meanwhile commits the response: decide under the lock
            try {
                if (committed) {
                    writeOrThrow(errorEvent(error));
                } else if (request.endpoint().anthropic()) {
                    AnthropicError.write(response, error, requestId);
                } else {
                    OpenAiError.write(response, error);
                }
            } finally {
                writeLock.unlock();
            }
            finish(error.status(), error.getMessage());
        } catch (IOException | IllegalStateException clientGone) {
            finish(CLIENT_CLOSED, "client closed the connection");
        }
    }

    /** A stream that had begun ends with an error in its API's shape: chat's data line and [DONE], or a named error event. */
    private String errorEvent(ApiException error) {
        return switch (request.endpoint()) {
            case MESSAGES -> AnthropicError.event(error);
            case RESPONSES -> OpenAiError.responsesEvent(error, stream.nextSequenceNumber());
            default -> OpenAiError.dataEvent(error);
        };
    }

    /** A Responses API answer is kept (see {@link io.switchboard.responses.control.Conversations#keep}) before the client has it. */
    private void keepResponse(String json) {
        if (request.endpoint() == CompletionRequest.Endpoint.RESPONSES && json != null) {
            relay.conversations.keep(call.tenant(), requestId, model.name(), request.body(),
                    request.earlier() == null ? null : request.earlier().engineInput(), json);
        }
    }

    private void clientLeft() {
        finish(CLIENT_CLOSED, "client closed the connection"); // first: what the cancellations below complete is ignored
        Flow.Subscription s = subscription;
        if (s != null) s.cancel(); // closes the upstream connection: the engine aborts the request
        CompletableFuture<?> call = upstream;
        if (call != null) call.cancel(true);
        CompletableFuture<Lease> waiting = pending;
        if (lease == null && waiting != null) relay.leases().abandon(model.name(), waiting);
    }

    // ---- writing ----

    /** A stream quiet for a heartbeat gets a comment: the write is what reveals a client that left. */
    void heartbeat() {
        if (finished.get() || !writeLock.tryLock()) return; // a write in progress (maybe blocked on a stalled client) says enough
        try {
            writeOrThrow(": keep-alive\n\n");
        } catch (IOException clientGone) {
            clientLeft();
        } finally {
            writeLock.unlock();
        }
    }

    /** A non-streamed request's client, looked up in the kernel's TCP table: gone once it closed or reset. */
    void checkConnection(TcpConnections connections) {
        if (finished.get() || answering) return;
        TcpConnections.State state = connections.state(clientAddress, clientPort, localPort);
        if (state == TcpConnections.State.ESTABLISHED) {
            connectionSeen = true;
        } else if (state == TcpConnections.State.CLOSING || connectionSeen) {
            clientLeft(); // ABSENT before it was ever seen means we cannot tell (a proxy's address, say)
        }
    }

    /** A stream that is relaying gets heartbeats; until then (waiting for its model) it is watched as any request is, so that nothing commits the response before a fallback could still serve. */
    boolean streams() {
        return request.stream() && lease != null;
    }

    long quietFor(long nowNanos) {
        return nowNanos - lastWriteNanos;
    }

    int localPort() {
        return localPort;
    }

    private void write(byte[] bytes, int length) {
        try {
            writeOrThrow(bytes, length);
        } catch (IOException clientGone) {
            clientLeft();
        }
    }

    private void writeOrThrow(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        writeOrThrow(bytes, bytes.length);
    }

    /**
     * Writes and flushes an event. The first write also sends the SSE headers, together with the
     * event (flushBuffer: Liberty holds back the first plain flush of an uncommitted response).
     */
    private void writeOrThrow(byte[] bytes, int length) throws IOException {
        writeLock.lock();
        try {
            if (finished.get()) return;
            if (!committed) {
                response.setStatus(200);
                response.setContentType("text/event-stream; charset=utf-8");
                response.setHeader("Cache-Control", "no-cache");
                response.setHeader("X-Accel-Buffering", "no");
            }
            ServletOutputStream out = response.getOutputStream();
            out.write(bytes, 0, length);
            if (committed) {
                out.flush();
            } else {
                committed = true; // before the flush: a failed flush still means the status is gone
                response.flushBuffer();
            }
            lastWriteNanos = System.nanoTime();
        } finally {
            writeLock.unlock();
        }
    }

    // ---- bookkeeping ----

    /**
     * Records how the request ended, its usage row included, exactly once: before the last bytes go to the
     * client where the end is known then (an answer, [DONE], an error), so a response received in full
     * always has its row. The engine's usage where it reported one; for a stream the client cancelled, the
     * token chunks it generated and an estimate of the prompt, marked as estimated.
     */
    private void settle(int status, String error) {
        if (!settled.compareAndSet(false, true)) return;
        try {
            record(status, error);
        } catch (RuntimeException failure) { // never the reason a response does not end
            java.util.logging.Logger.getLogger(InferenceExchange.class.getName()).log(java.util.logging.Level.SEVERE,
                    "Could not record the outcome of request " + requestId, failure);
        }
    }

    private void record(int status, String error) {
        long now = System.nanoTime();
        Lease held = lease;
        UsageScanner.Usage usage = request.stream() ? stream.usage() : answerUsage;
        String finishReason = request.stream() ? stream.finishReason() : answerFinishReason;
        Integer prompt = usage == null ? null : usage.promptTokens();
        Integer cached = usage == null ? null : usage.cachedPromptTokens();
        Integer completion = usage == null ? null : usage.completionTokens();
        boolean estimated = false;
        if (usage == null && status == CLIENT_CLOSED && held != null) { // it reached the engine, which did work
            prompt = PromptEstimate.tokens(request);
            completion = stream.tokenChunks();
            estimated = true;
        }
        long recording = System.nanoTime();
        UsageRecord row = relay.outcomes.record(new RequestOutcome(requestId, call.clientRequestId(), call.tenant().tenantId(),
                call.tenant().keyId(), call.endUser(), request.model(), model.name(), route.ruleLabel(), route.fallbackReason(),
                request.endpoint().path,
                request.stream(), status, finishReason, prompt, cached, completion, estimated,
                held == null ? (now - startedNanos) / 1_000_000 : held.queuedNanos() / 1_000_000,
                firstTokenNanos == 0 ? null : (firstTokenNanos - startedNanos) / 1_000_000,
                (now - startedNanos) / 1_000_000, call.startedAt(), Instant.now(), error));
        long settling = System.nanoTime();
        relay.stages.since(RequestStages.Stage.RECORD, recording);
        // the one settle path: the quotas get back what the reservation held beyond what was used
        relay.quotas.settle(admission, (long) row.promptTokens() + row.completionTokens(), row.costPicos());
        if (admission != Admission.NONE) relay.stages.since(RequestStages.Stage.SETTLE, settling);
    }

    private void finish(int status, String error) {
        if (!finished.compareAndSet(false, true)) return;
        settle(status, error); // a no-op where the end was settled before its last bytes went out
        relay.clients.forget(this);
        Lease held = lease;
        if (held != null) held.release(status < 500);
        try {
            async.complete();
        } catch (IllegalStateException alreadyDone) {
            // the container completed it after an I/O error
        }
    }

}
