package io.switchboard.simulator;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Anthropic's {@code POST /v1/messages} as vLLM serves it, through its chat completions: {@code system},
 * content blocks ({@code text}, {@code tool_use}, {@code tool_result}; {@code thinking} dropped), tools with
 * {@code input_schema}, {@code tool_choice} auto / any / tool / none, {@code stop_sequences}. The answer is vLLM's:
 * nulls omitted, the chat completion's id ({@code chatcmpl-...}), {@code stop_reason} end_turn, max_tokens,
 * tool_use or stop_sequence. The stream: message_start (with type and role), content blocks, message_delta with
 * usage, message_stop, no {@code [DONE]}. A missing or non-positive {@code max_tokens} is a validation error in
 * the OpenAI envelope, as vLLM's router answers it; the handler's own errors are in Anthropic's shape with vLLM's
 * type names.
 */
final class MessagesApi implements ChatBridge {

    private final Map<String, Object> request;
    private final Map<String, Object> chatBody = Json.obj();

    @SuppressWarnings("unchecked")
    MessagesApi(Object parsed, boolean countOnly) {
        if (!(parsed instanceof Map<?, ?>)) throw validation(null, "Input should be a valid dictionary");
        this.request = (Map<String, Object>) parsed;
        if (!(request.get("model") instanceof String model) || model.isEmpty()) throw validation("body.model", "Field required");
        chatBody.put("model", model);
        if (countOnly) {
            chatBody.put("max_tokens", BigDecimal.ONE);
        } else {
            if (!(request.get("max_tokens") instanceof BigDecimal max) || max.scale() > 0) {
                throw validation("body.max_tokens", "Field required");
            }
            if (max.signum() <= 0) throw validation("body.max_tokens", "Value error, max_tokens must be positive");
            chatBody.put("max_tokens", max);
            chatBody.put("max_completion_tokens", max);
        }
        if (!(request.get("messages") instanceof List<?> messages)) throw validation("body.messages", "Field required");
        chatBody.put("messages", messages(messages));
        for (String field : new String[] {"temperature", "top_p", "top_k", "stream"}) {
            if (request.get(field) != null) chatBody.put(field, request.get(field));
        }
        if (request.get("stop_sequences") instanceof List<?> stops) chatBody.put("stop", stops);
        if (Boolean.TRUE.equals(request.get("stream"))) {
            chatBody.put("stream_options", Json.obj("include_usage", true, "continuous_usage_stats", true));
        }
        tools();
    }

    /** A request-validation failure: vLLM's router answers these in the OpenAI envelope, before the handler. */
    private static ApiError validation(String param, String message) {
        return new ApiError(400, "Bad Request", param, message);
    }

    @Override
    public Map<String, Object> chatBody() {
        return chatBody;
    }

    @Override
    public Map<String, Object> error(ApiError error) {
        return error.type.equals("Bad Request") ? error.body() : error.anthropicBody();
    }

    private List<Object> messages(List<?> messages) {
        List<Object> chat = new ArrayList<>();
        Object system = request.get("system");
        if (system instanceof String text) chat.add(Json.obj("role", "system", "content", text));
        else if (system instanceof List<?> blocks) chat.add(Json.obj("role", "system", "content", joined(blocks)));
        int index = 0;
        for (Object entry : messages) {
            String where = "body.messages." + index++;
            if (!(entry instanceof Map<?, ?> message) || !(message.get("role") instanceof String role)) {
                throw validation(where + ".role", "Field required");
            }
            Object content = message.get("content");
            if (content instanceof String text) {
                chat.add(Json.obj("role", role, "content", text));
                continue;
            }
            if (!(content instanceof List<?> blocks)) throw validation(where + ".content", "Field required");
            StringBuilder text = new StringBuilder();
            List<Object> toolCalls = new ArrayList<>();
            for (Object item : blocks) {
                if (!(item instanceof Map<?, ?> block)) continue;
                Object type = block.get("type");
                if ("text".equals(type) && block.get("text") instanceof String part) {
                    text.append(part);
                } else if ("tool_use".equals(type)) {
                    toolCalls.add(Json.obj("id", block.get("id"), "type", "function", "function", Json.obj("name", block.get("name"),
                            "arguments", Json.write(block.get("input") == null ? Json.obj() : block.get("input")))));
                } else if ("tool_result".equals(type)) {
                    Object result = block.get("content");
                    chat.add(Json.obj("role", "tool", "tool_call_id", block.get("tool_use_id"),
                            "content", result instanceof List<?> parts ? joined(parts) : result instanceof String s ? s : ""));
                } else if ("image".equals(type)) {
                    throw ApiError.badRequest(null, "This model does not support multimodal inputs: 'image_url'");
                }
            }
            if (!toolCalls.isEmpty()) {
                chat.add(Json.obj("role", "assistant", "content", text.length() == 0 ? Json.NULL : text.toString(), "tool_calls", toolCalls));
            } else if (text.length() > 0 || chat.isEmpty() || !"user".equals(role)) {
                chat.add(Json.obj("role", role, "content", text.toString()));
            }
        }
        return chat;
    }

    private static String joined(List<?> blocks) {
        StringBuilder text = new StringBuilder();
        for (Object block : blocks) {
            if (block instanceof Map<?, ?> map && map.get("text") instanceof String part) text.append(part);
        }
        return text.toString();
    }

    private void tools() {
        if (!(request.get("tools") instanceof List<?> tools) || tools.isEmpty()) return;
        List<Object> chatTools = new ArrayList<>();
        for (Object entry : tools) {
            if (!(entry instanceof Map<?, ?> tool) || !(tool.get("name") instanceof String name)) {
                throw validation("body.tools", "Field required");
            }
            Object schema = tool.get("input_schema");
            if (!(schema instanceof Map<?, ?>)) throw validation("body.tools.input_schema", "Field required");
            Map<String, Object> function = Json.obj("name", name, "parameters", schema);
            if (tool.get("description") instanceof String description) function.put("description", description);
            chatTools.add(Json.obj("type", "function", "function", function));
        }
        chatBody.put("tools", chatTools);
        Object choice = request.get("tool_choice");
        String type = choice instanceof Map<?, ?> map && map.get("type") instanceof String t ? t : "auto";
        switch (type) {
            case "any" -> chatBody.put("tool_choice", "required");
            case "none" -> chatBody.put("tool_choice", "none");
            case "tool" -> {
                if (!(((Map<?, ?>) choice).get("name") instanceof String name)) throw validation("body.tool_choice.name", "Field required");
                chatBody.put("tool_choice", Json.obj("type", "function", "function", Json.obj("name", name)));
            }
            default -> chatBody.put("tool_choice", "auto");
        }
    }

    /** {@code POST /v1/messages/count_tokens}: the prompt's tokens as the chat template renders them. */
    static Map<String, Object> countTokens(GenerationRequest request) {
        int tokens = request.totalPromptTokens();
        return Json.obj("input_tokens", tokens, "context_management", Json.obj("original_input_tokens", tokens));
    }

    // ---- the answer ----

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> answer(Map<String, Object> chat, GenerationRequest generation) {
        Map<String, Object> choice = ChatBridge.firstChoice(chat);
        Map<String, Object> message = (Map<String, Object>) choice.get("message");
        List<Object> content = new ArrayList<>();
        if (message.get("content") instanceof String text && !text.isEmpty()) content.add(Json.obj("type", "text", "text", text));
        for (ToolCall call : ChatBridge.toolCalls(choice)) {
            content.add(Json.obj("type", "tool_use", "id", call.id(), "name", call.name(), "input", Json.parse(call.arguments())));
        }
        Map<String, Object> usage = (Map<String, Object>) chat.get("usage");
        Map<String, Object> answer = Json.obj("id", chat.get("id"), "type", "message", "role", "assistant", "content", content,
                "model", chat.get("model"), "stop_reason", stopReason((String) choice.get("finish_reason"), choice.get("stop_reason")));
        if (choice.get("stop_reason") instanceof String stop) answer.put("stop_sequence", stop);
        answer.put("usage", Json.obj("input_tokens", usage.get("prompt_tokens"), "output_tokens", usage.get("completion_tokens")));
        return answer;
    }

    private static String stopReason(String finish, Object stopString) {
        if (stopString instanceof String) return "stop_sequence";
        if ("length".equals(finish)) return "max_tokens";
        if ("tool_calls".equals(finish)) return "tool_use";
        return "end_turn";
    }

    // ---- the stream ----

    @Override
    public Completion.EventSink events(Completion.EventSink frames, GenerationRequest generation) {
        return new Events(frames, generation);
    }

    /** The chat stream as Anthropic's events: one content block open at a time, text or tool_use. */
    private static final class Events implements Completion.EventSink {
        private final Completion.EventSink frames;
        private final GenerationRequest generation;
        private boolean started;
        private int index = -1;
        private boolean blockOpen;
        private String finish;
        private Object stopString;
        private int outputTokens;

        Events(Completion.EventSink frames, GenerationRequest generation) {
            this.frames = frames;
            this.generation = generation;
        }

        private void emit(String type, Map<String, Object> event) throws IOException {
            frames.send("event: " + type + "\ndata: " + Json.write(event) + "\n\n");
        }

        @Override
        @SuppressWarnings("unchecked")
        public void send(String data) throws IOException {
            if (data.equals("[DONE]")) {
                closeBlock();
                Map<String, Object> delta = Json.obj("stop_reason", stopReason(finish, stopString),
                        "stop_sequence", stopString == null ? Json.NULL : stopString);
                emit("message_delta", Json.obj("type", "message_delta", "delta", delta,
                        "usage", Json.obj("input_tokens", generation.totalPromptTokens(), "output_tokens", outputTokens)));
                emit("message_stop", Json.obj("type", "message_stop"));
                return;
            }
            Map<String, Object> chunk = (Map<String, Object>) Json.parse(data);
            if (chunk.get("error") instanceof Map<?, ?> error) {
                emit("error", Json.obj("type", "error", "error", Json.obj("type", "internal_error", "message", error.get("message"))));
                return;
            }
            if (!started) {
                started = true;
                emit("message_start", Json.obj("type", "message_start", "message", Json.obj("id", chunk.get("id"), "type", "message",
                        "role", "assistant", "content", List.of(), "model", chunk.get("model"), "stop_reason", Json.NULL,
                        "stop_sequence", Json.NULL, "usage", Json.obj("input_tokens", generation.totalPromptTokens(), "output_tokens", 0))));
            }
            if (chunk.get("usage") instanceof Map<?, ?> usage && usage.get("completion_tokens") instanceof Number n) {
                outputTokens = n.intValue();
            }
            List<Object> choices = (List<Object>) chunk.get("choices");
            if (choices == null || choices.isEmpty()) return;
            Map<String, Object> choice = (Map<String, Object>) choices.get(0);
            Map<String, Object> delta = (Map<String, Object>) choice.get("delta");
            if (delta.get("content") instanceof String text && !text.isEmpty()) {
                if (!blockOpen) openBlock(Json.obj("type", "text", "text", ""));
                emit("content_block_delta", Json.obj("type", "content_block_delta",
                        "delta", Json.obj("type", "text_delta", "text", text), "index", index));
            }
            if (delta.get("tool_calls") instanceof List<?> calls) {
                for (Object entry : calls) {
                    Map<String, Object> call = (Map<String, Object>) entry;
                    Map<String, Object> function = (Map<String, Object>) call.get("function");
                    if (call.get("id") instanceof String id) {
                        closeBlock();
                        openBlock(Json.obj("type", "tool_use", "id", id, "name", function.get("name"), "input", Json.obj()));
                    }
                    if (function.get("arguments") instanceof String piece && !piece.isEmpty()) {
                        emit("content_block_delta", Json.obj("type", "content_block_delta",
                                "delta", Json.obj("type", "input_json_delta", "partial_json", piece), "index", index));
                    }
                }
            }
            if (choice.get("finish_reason") instanceof String reason) {
                finish = reason;
                if (choice.get("stop_reason") instanceof String stop) stopString = stop;
            }
        }

        private void openBlock(Map<String, Object> block) throws IOException {
            index++;
            blockOpen = true;
            emit("content_block_start", Json.obj("type", "content_block_start", "content_block", block, "index", index));
        }

        private void closeBlock() throws IOException {
            if (!blockOpen) return;
            blockOpen = false;
            emit("content_block_stop", Json.obj("type", "content_block_stop", "index", index));
        }
    }
}
