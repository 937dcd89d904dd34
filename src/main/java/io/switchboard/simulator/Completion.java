package io.switchboard.simulator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One admitted generation request: produces each choice token by token at the engine's pace and
 * writes either one JSON answer or an SSE stream, as vLLM writes them: role chunk first
 * (chat), content chunks, {@code finish_reason} on the chunk with the last text, an optional usage
 * chunk with empty choices, then {@code data: [DONE]}.
 */
final class Completion {

    /** Where stream events go; a failed write means the client left. */
    interface EventSink {
        void send(String data) throws IOException;
    }

    /** Thrown to cut a stream mid-way (fault injection): the connection closes without a proper end. */
    static final class StreamCut extends RuntimeException {
        StreamCut() {
            super("stream cut by fault injection", null, false, false);
        }
    }

    private static final Pattern PIECES = Pattern.compile(" ?[A-Za-z]+| ?[0-9]{1,3}| ?[^\\sA-Za-z0-9]|\\s+");

    private final GenerationRequest request;
    private final Engine engine;
    private final Engine.Ticket ticket;
    private final String id;
    private final long created = System.currentTimeMillis() / 1000;
    private final List<Choice> choices = new ArrayList<>();
    private boolean failed;
    private int cachedTokens;

    /** One sequence being generated. */
    private final class Choice {
        final int index;
        final SplittableRandom random;
        final int naturalLength;
        final List<String> echoPieces;
        final StringBuilder text = new StringBuilder();
        int emitted;           // characters of text already sent
        int tokens;
        String finishReason;
        String stopReason;
        /** Guided output (JSON, tool calls); null for free prose. */
        final GuidedOutput plan;
        final List<GuidedOutput.Unit> fresh = new ArrayList<>(); // units generated since the last stream chunk
        final Logprobs logprobs; // null unless asked for

        Choice(int index, int promptIndex, long seed) {
            this.index = index;
            this.random = new SplittableRandom(seed * 1_000_003L + promptIndex * 131L + (index % request.n));
            double mean = engine.args.integer("--sim-mean-output-tokens");
            int length = 1 + (int) Math.floor(-Math.log(1 - random.nextDouble()) * mean);
            this.naturalLength = request.ignoreEos ? Integer.MAX_VALUE : Math.max(length, request.minTokens);
            this.echoPieces = engine.args.string("--sim-mode").equals("echo") ? pieces(request.prompts.get(promptIndex)) : null;
            this.logprobs = request.logprobs ? new Logprobs(request.chat, request.topLogprobs, seed * 31 + index + 7) : null;
            this.plan = GuidedOutput.plan(request, random);
        }

        boolean callsTools() {
            return plan != null && plan.callsTools();
        }

        /** The finish reason as the API reports it: tool calls the model chose end in "tool_calls", a named one in "stop". */
        String reportedFinish() {
            if (callsTools() && "stop".equals(finishReason) && request.output != GenerationRequest.Output.NAMED_TOOL) {
                return "tool_calls";
            }
            return finishReason;
        }

        boolean finished() {
            return finishReason != null;
        }

        /** Generates one token; sets the finish reason when this was the last one. */
        void step() {
            if (plan != null) {
                stepPlanned();
                return;
            }
            int before = text.length();
            String piece = nextPiece();
            text.append(piece);
            if (logprobs != null) logprobs.add(piece);
            tokens++;
            for (String stop : request.stop) {
                int at = text.indexOf(stop, Math.max(0, before - stop.length() + 1));
                if (at >= 0) {
                    text.setLength(at);
                    finishReason = "stop";
                    stopReason = stop;
                    return;
                }
            }
            if (tokens >= request.maxTokens) {
                finishReason = "length";
            } else if (tokens >= naturalLength) {
                finishReason = "stop"; // EOS
            }
        }

        private void stepPlanned() {
            GuidedOutput.Unit unit = plan.units.get(Math.min(tokens, plan.units.size() - 1));
            if (unit.call() < 0) {
                text.append(unit.text());
                if (logprobs != null) logprobs.add(unit.text());
            } else {
                plan.arguments.get(unit.call()).append(unit.text());
            }
            fresh.add(unit);
            tokens++;
            if (tokens >= request.maxTokens) finishReason = "length";
            else if (tokens >= plan.units.size()) finishReason = "stop"; // the guided output is complete: EOS
        }

        private String nextPiece() {
            if (engine.weightsDiscarded) return "!";
            if (echoPieces != null) return echoPieces.isEmpty() ? " " : echoPieces.get(tokens % echoPieces.size());
            if (tokens > 0 && random.nextInt(12) == 0) return ".";
            String word = Tokenizer.word(random.nextInt(Tokenizer.CORPUS.length));
            // an answer starts, and a sentence goes on, like prose: "Cache model. Gateway ..."
            if (tokens == 0) return Character.toUpperCase(word.charAt(1)) + word.substring(2);
            if (text.length() > 0 && text.charAt(text.length() - 1) == '.') {
                return " " + Character.toUpperCase(word.charAt(1)) + word.substring(2);
            }
            return word;
        }

        String newText() {
            String delta = text.substring(Math.min(emitted, text.length()));
            emitted = text.length();
            return delta;
        }
    }

    Completion(GenerationRequest request, Engine engine, Engine.Ticket ticket, String requestId) {
        this.request = request;
        this.engine = engine;
        this.ticket = ticket;
        this.id = (request.chat ? "chatcmpl-" : "cmpl-") + requestId;
        long seed = request.seed != null ? request.seed : ThreadLocalRandom.current().nextLong();
        for (int prompt = 0; prompt < request.prompts.size(); prompt++) {
            for (int i = 0; i < request.n; i++) choices.add(new Choice(prompt * request.n + i, prompt, seed));
        }
    }

    /** Text cut into the tokens a model would write it in, as the simulator's tokenizer cuts it. */
    static List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher matcher = PIECES.matcher(text);
        while (matcher.find()) pieces.add(matcher.group());
        return pieces;
    }

    /** Runs the request to its end and answers the complete response body. */
    Map<String, Object> complete() throws InterruptedException {
        prefill();
        while (!allFinished()) {
            decodeStep();
        }
        List<Object> out = new ArrayList<>();
        for (Choice choice : choices) out.add(request.chat ? chatChoice(choice) : textChoice(choice));
        return request.chat
                ? Json.obj("id", id, "object", "chat.completion", "created", created, "model", request.responseModel,
                "choices", out, "service_tier", Json.NULL, "system_fingerprint", Json.NULL, "usage", usageWithDetails(),
                "prompt_logprobs", Json.NULL, "prompt_token_ids", Json.NULL, "kv_transfer_params", Json.NULL)
                : Json.obj("id", id, "object", "text_completion", "created", created, "model", request.responseModel,
                "choices", out, "service_tier", Json.NULL, "system_fingerprint", Json.NULL, "usage", usage(),
                "kv_transfer_params", Json.NULL);
    }

    /** Streams the request token by token into {@code sink}; IOException means the client is gone. */
    void stream(EventSink sink) throws IOException, InterruptedException {
        prefill();
        Integer cutAfter = engine.cutStreamsAfter;
        Integer errorAfter = engine.streamErrorsAfter;
        boolean first = true;
        int steps = 0;
        while (!allFinished()) {
            decodeStep();
            steps++;
            if (first && request.chat) {
                for (Choice choice : choices) {
                    sink.send(chunk(Json.obj("index", choice.index, "delta", Json.obj("role", "assistant", "content", ""),
                            "logprobs", Json.NULL, "finish_reason", Json.NULL), true));
                }
            }
            first = false;
            for (Choice choice : choices) {
                if (choice.emitted < 0) continue; // already closed
                boolean last = choice.finished();
                if (choice.callsTools()) {
                    if (choice.fresh.isEmpty() && !last) continue;
                    sink.send(chunk(toolDelta(choice, last), false));
                } else {
                    String delta = choice.newText();
                    if (delta.isEmpty() && !last) continue; // held back or nothing new
                    if (request.chat && !last && !request.continuousUsage && !request.logprobs) {
                        sink.send(contentChunk(choice.index, delta)); // the stream's bulk: no maps, the head written once
                    } else {
                        sink.send(chunk(request.chat ? chatDelta(choice, delta, last) : textDelta(choice, delta, last), false));
                    }
                }
                if (last) choice.emitted = -1;
            }
            if (cutAfter != null && steps >= cutAfter) throw new StreamCut();
            if (errorAfter != null && steps >= errorAfter) {
                // an engine failure after the stream began: one error event, then [DONE], as vLLM does
                failed = true;
                sink.send(Json.write(new ApiError(500, "InternalServerError", null,
                        "EngineCore encountered an issue. See stack trace for the root cause.").body()));
                sink.send("[DONE]");
                return;
            }
        }
        if (request.includeUsage) {
            sink.send(Json.write(Json.obj("id", id, "object", request.chat ? "chat.completion.chunk" : "text_completion",
                    "created", created, "model", request.responseModel, "choices", List.of(),
                    "usage", engine.args.flag("--enable-prompt-tokens-details") ? usageWithDetails() : usage())));
        }
        sink.send("[DONE]");
    }

    private void prefill() throws InterruptedException {
        if (engine.args.flag("--enable-prompt-tokens-details")) cachedTokens = engine.prefixCache.lookUpAndAdd(request.prompts);
        engine.useKvTokens(ticket, request.totalPromptTokens());
        Engine.pause(engine.prefillMillis(request.totalPromptTokens()));
        engine.metrics.promptTokens.add(request.totalPromptTokens());
    }

    private void decodeStep() throws InterruptedException {
        long start = System.nanoTime();
        boolean firstToken = choices.get(0).tokens == 0;
        if (!firstToken) Engine.pause(engine.tokenMillis());
        int produced = 0;
        for (Choice choice : choices) {
            if (!choice.finished()) {
                choice.step();
                produced++;
            }
        }
        engine.useKvTokens(ticket, produced);
        engine.metrics.generationTokens.add(produced);
        if (firstToken) {
            engine.metrics.timeToFirstToken.observe((System.nanoTime() - ticket.arrivedNanos) / 1e9);
        } else {
            engine.metrics.interTokenLatency.observe((System.nanoTime() - start) / 1e9);
        }
    }

    private boolean allFinished() {
        for (Choice choice : choices) if (!choice.finished()) return false;
        return true;
    }

    /** The reason the request as a whole finished, for {@code vllm:request_success_total}. */
    String finishedReason() {
        if (failed) return "error";
        for (Choice choice : choices) if ("length".equals(choice.finishReason)) return "length";
        return "stop";
    }

    private String chunkHead;

    /** A chat chunk with a content delta, as {@link #chunk} writes it, from text written once per stream. */
    private String contentChunk(int index, String delta) {
        if (chunkHead == null) chunkHead = chunkHead(id, request.chat ? "chat.completion.chunk" : "text_completion", created,
                request.responseModel);
        StringBuilder out = new StringBuilder(chunkHead.length() + delta.length() + 96).append(chunkHead);
        contentChoice(index, delta, out);
        return out.append("]}").toString();
    }

    /** {@code {"id":...,"object":...,"created":...,"model":...,"choices":[} as Json.write writes it. */
    static String chunkHead(String id, String object, long created, String model) {
        StringBuilder head = new StringBuilder(128).append("{\"id\":");
        Json.quote(id, head);
        head.append(",\"object\":");
        Json.quote(object, head);
        head.append(",\"created\":").append(created).append(",\"model\":");
        Json.quote(model, head);
        return head.append(",\"choices\":[").toString();
    }

    /** The choice of a chat content chunk before the last, as Json.write writes {@link #chatDelta}'s map. */
    static void contentChoice(int index, String delta, StringBuilder out) {
        out.append("{\"index\":").append(index).append(",\"delta\":{\"content\":");
        Json.quote(delta, out);
        out.append("},\"logprobs\":null,\"finish_reason\":null,\"token_ids\":null}");
    }

    private String chunk(Map<String, Object> choice, boolean roleChunk) {
        Map<String, Object> chunk = Json.obj("id", id, "object", request.chat ? "chat.completion.chunk" : "text_completion",
                "created", created, "model", request.responseModel, "choices", List.of(choice));
        if (roleChunk) chunk.put("prompt_token_ids", Json.NULL);
        if (!request.chat) chunk.put("usage", request.continuousUsage ? usage() : Json.NULL);
        else if (request.continuousUsage) chunk.put("usage", usage());
        return Json.write(chunk);
    }

    /** A chunk's tool-call deltas, as vLLM's parsers stream them: id, type and name first, then the arguments piece by piece. */
    private Map<String, Object> toolDelta(Choice choice, boolean last) {
        List<Object> calls = new ArrayList<>();
        boolean named = request.output == GenerationRequest.Output.NAMED_TOOL;
        for (GuidedOutput.Unit unit : choice.fresh) {
            String[] call = choice.plan.calls.get(unit.call());
            int index = named ? choice.index : unit.call();
            if (unit.opens() && !named) {
                calls.add(Json.obj("id", call[0], "type", "function", "index", index, "function", Json.obj("name", call[1])));
            } else if (unit.opens()) {
                calls.add(Json.obj("id", call[0], "type", "function", "index", index,
                        "function", Json.obj("name", call[1], "arguments", unit.text())));
            } else {
                calls.add(Json.obj("index", index, "function", Json.obj("arguments", unit.text())));
            }
        }
        choice.fresh.clear();
        Map<String, Object> map = Json.obj("index", choice.index, "delta", calls.isEmpty() ? Json.obj() : Json.obj("tool_calls", calls),
                "logprobs", Json.NULL, "finish_reason", last ? choice.reportedFinish() : Json.NULL);
        if (last) map.put("stop_reason", Json.NULL);
        map.put("token_ids", Json.NULL);
        return map;
    }

    private Map<String, Object> chatDelta(Choice choice, String delta, boolean last) {
        Map<String, Object> map = Json.obj("index", choice.index, "delta", Json.obj("content", delta),
                "logprobs", choice.logprobs == null ? Json.NULL : choice.logprobs.chat(true),
                "finish_reason", last ? choice.finishReason : Json.NULL);
        if (last) map.put("stop_reason", choice.stopReason == null ? Json.NULL : choice.stopReason);
        map.put("token_ids", Json.NULL);
        return map;
    }

    private Map<String, Object> textDelta(Choice choice, String delta, boolean last) {
        return Json.obj("index", choice.index, "text", delta, "logprobs", choice.logprobs == null ? Json.NULL : choice.logprobs.text(true),
                "finish_reason", last ? choice.finishReason : Json.NULL,
                "stop_reason", last && choice.stopReason != null ? choice.stopReason : Json.NULL,
                "prompt_token_ids", Json.NULL, "token_ids", Json.NULL);
    }

    private Map<String, Object> chatChoice(Choice choice) {
        List<Object> toolCalls = new ArrayList<>();
        for (int i = 0; choice.callsTools() && i < choice.plan.calls.size(); i++) {
            toolCalls.add(Json.obj("id", choice.plan.calls.get(i)[0], "type", "function",
                    "function", Json.obj("name", choice.plan.calls.get(i)[1], "arguments", choice.plan.arguments.get(i).toString())));
        }
        // a forced call leaves the content empty; a call the model chose, null (the parser took all the text)
        Object content = !choice.callsTools() ? choice.text.toString()
                : request.output == GenerationRequest.Output.AUTO_TOOL ? Json.NULL : "";
        return Json.obj("index", choice.index,
                "message", Json.obj("role", "assistant", "content", content, "refusal", Json.NULL,
                        "annotations", Json.NULL, "audio", Json.NULL, "function_call", Json.NULL, "tool_calls", toolCalls,
                        "reasoning", Json.NULL),
                "logprobs", choice.logprobs == null ? Json.NULL : choice.logprobs.chat(false),
                "finish_reason", choice.reportedFinish(),
                "stop_reason", choice.stopReason == null ? Json.NULL : choice.stopReason, "token_ids", Json.NULL);
    }

    private Map<String, Object> textChoice(Choice choice) {
        int promptIndex = choice.index / request.n;
        String text = request.echo ? request.prompts.get(promptIndex) + choice.text : choice.text.toString();
        return Json.obj("index", choice.index, "text", text, "logprobs", choice.logprobs == null ? Json.NULL : choice.logprobs.text(false), "finish_reason", choice.finishReason,
                "stop_reason", choice.stopReason == null ? Json.NULL : choice.stopReason, "token_ids", Json.NULL,
                "prompt_logprobs", Json.NULL, "prompt_token_ids", Json.NULL);
    }

    private Map<String, Object> usageWithDetails() {
        Map<String, Object> usage = usage();
        usage.put("prompt_tokens_details", engine.args.flag("--enable-prompt-tokens-details")
                ? Json.obj("cached_tokens", cachedTokens) : Json.NULL);
        return usage;
    }

    private Map<String, Object> usage() {
        int completion = 0;
        for (Choice choice : choices) completion += choice.tokens;
        int prompt = request.totalPromptTokens();
        return Json.obj("prompt_tokens", prompt, "total_tokens", prompt + completion, "completion_tokens", completion);
    }
}
