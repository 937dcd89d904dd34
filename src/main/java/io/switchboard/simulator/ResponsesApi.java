package io.switchboard.simulator;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /v1/responses} as vLLM serves it for a non-harmony model with the store off (its default,
 * {@code VLLM_ENABLE_RESPONSES_API_STORE=0}): {@code input} (a string, or items: messages, {@code function_call},
 * {@code function_call_output}) and {@code instructions} become the conversation; {@code store} is turned off
 * silently, so a {@code previous_response_id} is a 404 and {@code background} a 400; function tools and
 * {@code text.format} json_schema are guided as in chat. The body is vLLM's (every field, nulls included,
 * the effective {@code max_output_tokens}); the stream is the newer simple streaming events: {@code event:}
 * and {@code data:} lines, {@code sequence_number} from 0, {@code content_index} 0 per item, no {@code [DONE]},
 * and the output in {@code response.completed} rebuilt with fresh {@code msg_} ids, as vLLM does.
 */
final class ResponsesApi implements ChatBridge {

    private final Map<String, Object> request;
    private final Map<String, Object> chatBody = Json.obj();
    private final String id;
    private final long created = System.currentTimeMillis() / 1000;
    private final Engine engine;

    @SuppressWarnings("unchecked")
    ResponsesApi(Object parsed, Engine engine) {
        if (!(parsed instanceof Map<?, ?>)) throw ApiError.badRequest(null, "Input should be a valid dictionary");
        this.request = (Map<String, Object>) parsed;
        this.engine = engine;
        if (request.get("prompt") != null && request.get("prompt") != Json.NULL) {
            throw ApiError.badRequest("prompt", "prompt template is not supported");
        }
        if (Boolean.TRUE.equals(request.get("background"))) {
            throw new ApiError(400, "invalid_request_error", "background", "This vLLM engine does not support `store=True` "
                    + "and therefore does not support the background mode. To enable these features, set the environment "
                    + "variable `VLLM_ENABLE_RESPONSES_API_STORE=1` when launching the vLLM server.");
        }
        if (request.get("previous_response_id") instanceof String previous) {
            throw new ApiError(404, "invalid_request_error", "response_id", "Response with id '" + previous + "' not found.");
        }
        this.id = request.get("request_id") instanceof String given ? given
                : "resp_" + hex();
        if (request.containsKey("model")) chatBody.put("model", request.get("model"));
        chatBody.put("messages", messages());
        copy("max_output_tokens", "max_tokens");
        for (String field : new String[] {"temperature", "top_p", "top_k", "seed", "stop", "stream", "parallel_tool_calls"}) {
            copy(field, field);
        }
        if (Boolean.TRUE.equals(request.get("stream"))) chatBody.put("stream_options", Json.obj("include_usage", true));
        tools();
        if (request.get("text") instanceof Map<?, ?> text && text.get("format") instanceof Map<?, ?> format
                && "json_schema".equals(format.get("type"))) {
            chatBody.put("response_format", Json.obj("type", "json_schema",
                    "json_schema", Json.obj("name", format.get("name"), "schema", format.get("schema"))));
        }
        if (request.get("include") instanceof List<?> include && include.contains("message.output_text.logprobs")) {
            chatBody.put("logprobs", true);
            if (request.get("top_logprobs") instanceof BigDecimal top) chatBody.put("top_logprobs", top);
        }
    }

    private void copy(String from, String to) {
        Object value = request.get(from);
        if (value != null && value != Json.NULL) chatBody.put(to, value);
    }

    @Override
    public Map<String, Object> chatBody() {
        return chatBody;
    }

    /** The conversation: instructions as the system message, then the input items as chat messages. */
    private List<Object> messages() {
        List<Object> messages = new ArrayList<>();
        if (request.get("instructions") instanceof String instructions) messages.add(Json.obj("role", "system", "content", instructions));
        Object input = request.get("input");
        if (input == null || input == Json.NULL) throw ApiError.badRequest("input", "Field required");
        if (input instanceof String text) {
            messages.add(Json.obj("role", "user", "content", text));
            return messages;
        }
        if (!(input instanceof List<?> items)) throw ApiError.badRequest("input", "Input should be a valid string or list");
        int index = 0;
        for (Object entry : items) {
            String where = "input." + index++;
            if (!(entry instanceof Map<?, ?> item)) throw ApiError.badRequest(where, "Input should be a valid dictionary");
            Object type = item.get("type");
            if ("function_call".equals(type)) {
                messages.add(Json.obj("role", "assistant", "content", Json.NULL, "tool_calls", List.of(Json.obj(
                        "id", item.get("call_id"), "type", "function",
                        "function", Json.obj("name", item.get("name"), "arguments", item.get("arguments"))))));
            } else if ("function_call_output".equals(type)) {
                messages.add(Json.obj("role", "tool", "tool_call_id", item.get("call_id"), "content", text(item.get("output"))));
            } else if ("reasoning".equals(type)) {
                if (item.get("encrypted_content") instanceof String) {
                    throw ApiError.badRequest(where, "Encrypted content is not supported.");
                }
            } else if (item.get("role") instanceof String role) {
                messages.add(Json.obj("role", role, "content", text(item.get("content"))));
            } else {
                throw ApiError.badRequest(where, "Unknown input item type: " + type);
            }
        }
        return messages;
    }

    /** A content's text: a string, or its input_text / output_text parts joined. */
    private static String text(Object content) {
        if (content instanceof String text) return text;
        StringBuilder out = new StringBuilder();
        if (content instanceof List<?> parts) {
            for (Object part : parts) {
                if (part instanceof Map<?, ?> map && map.get("text") instanceof String text) out.append(text);
                else if (part instanceof Map<?, ?> map && "input_image".equals(map.get("type"))) {
                    throw ApiError.badRequest("input", "This model does not support multimodal inputs: 'input_image'");
                }
            }
        }
        return out.toString();
    }

    private void tools() {
        Object tools = request.get("tools");
        if (!(tools instanceof List<?> list) || list.isEmpty()) return;
        List<Object> chatTools = new ArrayList<>();
        for (Object entry : list) {
            if (!(entry instanceof Map<?, ?> tool) || !"function".equals(tool.get("type"))) {
                throw ApiError.badRequest("tools", "Only function tools are supported without Harmony.");
            }
            Map<String, Object> function = Json.obj("name", tool.get("name"));
            if (tool.get("description") instanceof String description) function.put("description", description);
            if (tool.get("parameters") != null) function.put("parameters", tool.get("parameters"));
            chatTools.add(Json.obj("type", "function", "function", function));
        }
        chatBody.put("tools", chatTools);
        Object choice = request.get("tool_choice");
        if (choice instanceof Map<?, ?> named && named.get("name") instanceof String name) {
            chatBody.put("tool_choice", Json.obj("type", "function", "function", Json.obj("name", name)));
        } else if (choice instanceof String value) {
            chatBody.put("tool_choice", value);
        }
    }

    // ---- the answer ----

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> answer(Map<String, Object> chat, GenerationRequest generation) {
        Map<String, Object> choice = ChatBridge.firstChoice(chat);
        Map<String, Object> message = (Map<String, Object>) choice.get("message");
        List<Object> output = new ArrayList<>();
        if (message.get("content") instanceof String text && !text.isEmpty()) {
            Object logprobs = choice.get("logprobs") instanceof Map<?, ?> lp ? lp.get("content") : Json.NULL;
            output.add(messageItem("msg_" + hex(), text, logprobs, "completed"));
        }
        for (ToolCall call : ChatBridge.toolCalls(choice)) {
            output.add(functionCall("fc_" + hex(), "call_" + hex(), call.name(), call.arguments(), "completed"));
        }
        Map<String, Object> usage = (Map<String, Object>) chat.get("usage");
        return response(output, "length".equals(choice.get("finish_reason")) ? "incomplete" : "completed", usage, generation);
    }

    /** The response object, every field vLLM writes, in its order. */
    private Map<String, Object> response(List<Object> output, String status, Map<String, Object> usage, GenerationRequest generation) {
        int prompt = generation.totalPromptTokens();
        return Json.obj("id", id, "created_at", created,
                "incomplete_details", status.equals("incomplete") ? Json.obj("reason", "max_output_tokens") : Json.NULL,
                "instructions", orNull("instructions"), "metadata", orNull("metadata"), "model", generation.responseModel,
                "object", "response", "output", output,
                "parallel_tool_calls", generation.parallelToolCalls,
                "temperature", request.get("temperature") instanceof BigDecimal t ? t : BigDecimal.ONE,
                "tool_choice", request.get("tool_choice") == null ? "auto" : request.get("tool_choice"),
                "tools", request.get("tools") == null ? List.of() : request.get("tools"),
                "top_p", request.get("top_p") instanceof BigDecimal p ? p : BigDecimal.ONE, "background", false,
                "max_output_tokens", generation.maxTokens, "max_tool_calls", orNull("max_tool_calls"),
                "previous_response_id", Json.NULL, "prompt", Json.NULL, "reasoning", orNull("reasoning"),
                "service_tier", "auto", "status", status, "text", orNull("text"), "top_logprobs", orNull("top_logprobs"),
                "truncation", "disabled", "usage", usage == null ? Json.NULL : usage(usage, prompt), "user", orNull("user"),
                "input_messages", Json.NULL, "output_messages", Json.NULL);
    }

    private Object orNull(String field) {
        Object value = request.get(field);
        return value == null ? Json.NULL : value;
    }

    private static Map<String, Object> usage(Map<String, Object> chat, int prompt) {
        int output = chat.get("completion_tokens") instanceof Number n ? n.intValue() : 0;
        int cached = chat.get("prompt_tokens_details") instanceof Map<?, ?> details && details.get("cached_tokens") instanceof Number n
                ? n.intValue() : 0;
        return Json.obj("input_tokens", prompt,
                "input_tokens_details", Json.obj("cached_tokens", cached, "input_tokens_per_turn", List.of(), "cached_tokens_per_turn", List.of()),
                "output_tokens", output,
                "output_tokens_details", Json.obj("reasoning_tokens", 0, "tool_output_tokens", 0, "output_tokens_per_turn", List.of(),
                        "tool_output_tokens_per_turn", List.of()),
                "total_tokens", prompt + output);
    }

    private static Map<String, Object> messageItem(String id, String text, Object logprobs, String status) {
        return Json.obj("id", id, "content", List.of(Json.obj("annotations", List.of(), "text", text, "type", "output_text",
                "logprobs", logprobs)), "role", "assistant", "status", status, "type", "message");
    }

    private static Map<String, Object> functionCall(String id, String callId, String name, String arguments, String status) {
        return Json.obj("arguments", arguments, "call_id", callId, "name", name, "type", "function_call", "id", id, "status", status);
    }

    /** vLLM's {@code random_uuid()}: a version 4 UUID's 32 hex digits, no dashes (ids, call ids). */
    private static String hex() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    // ---- the stream ----

    @Override
    public Completion.EventSink events(Completion.EventSink frames, GenerationRequest generation) {
        return new Events(frames, generation);
    }

    /** Turns the chat stream into the Responses events, one item open at a time. */
    private final class Events implements Completion.EventSink {
        private final Completion.EventSink frames;
        private final GenerationRequest generation;
        private int sequence;
        private int outputIndex = -1;
        private String itemId;
        private boolean messageOpen;
        private final StringBuilder text = new StringBuilder();
        private final List<Object> logprobs = new ArrayList<>();
        private String callId;
        private String callName;
        private final StringBuilder arguments = new StringBuilder();
        private final List<Object> output = new ArrayList<>(); // for response.completed, with fresh ids
        private Map<String, Object> usage;
        private String finish;

        Events(Completion.EventSink frames, GenerationRequest generation) {
            this.frames = frames;
            this.generation = generation;
        }

        private void emit(String type, Map<String, Object> fields) throws IOException {
            fields.put("sequence_number", sequence++);
            fields.put("type", type);
            frames.send("event: " + type + "\ndata: " + Json.write(sorted(fields)) + "\n\n");
        }

        private Map<String, Object> sorted(Map<String, Object> fields) {
            Map<String, Object> out = Json.obj();
            fields.keySet().stream().sorted().forEach(key -> out.put(key, fields.get(key)));
            return out;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void send(String data) throws IOException {
            if (sequence == 0) {
                Map<String, Object> snapshot = response(List.of(), "in_progress", null, generation);
                emit("response.created", Json.obj("response", snapshot));
                emit("response.in_progress", Json.obj("response", snapshot));
            }
            if (data.equals("[DONE]")) {
                close();
                emit("response.completed", Json.obj("response",
                        response(output, "length".equals(finish) ? "incomplete" : "completed", usage, generation)));
                return;
            }
            Map<String, Object> chunk = (Map<String, Object>) Json.parse(data);
            if (chunk.containsKey("error")) {
                Map<String, Object> error = (Map<String, Object>) chunk.get("error");
                emit("error", Json.obj("code", String.valueOf(error.get("code")), "message", error.get("message"), "param", Json.NULL));
                return;
            }
            if (chunk.get("usage") instanceof Map<?, ?> counts) usage = (Map<String, Object>) counts;
            List<Object> choices = (List<Object>) chunk.get("choices");
            if (choices == null || choices.isEmpty()) return;
            Map<String, Object> choice = (Map<String, Object>) choices.get(0);
            Map<String, Object> delta = (Map<String, Object>) choice.get("delta");
            if (delta.get("content") instanceof String content && !content.isEmpty()) {
                if (!messageOpen) openMessage();
                text.append(content);
                List<Object> tokenLogprobs = choice.get("logprobs") instanceof Map<?, ?> lp && lp.get("content") instanceof List<?> entries
                        ? (List<Object>) entries : List.of();
                logprobs.addAll(tokenLogprobs);
                emit("response.output_text.delta", Json.obj("content_index", 0, "delta", content, "item_id", itemId,
                        "logprobs", tokenLogprobs, "output_index", outputIndex));
            }
            if (delta.get("tool_calls") instanceof List<?> calls) {
                for (Object entry : calls) {
                    Map<String, Object> call = (Map<String, Object>) entry;
                    Map<String, Object> function = (Map<String, Object>) call.get("function");
                    if (call.get("id") instanceof String) { // a new call: the chat delta that opens one carries its id
                        close();
                        openCall((String) function.get("name"));
                    }
                    if (function.get("arguments") instanceof String piece && !piece.isEmpty()) {
                        arguments.append(piece);
                        emit("response.function_call_arguments.delta", Json.obj("delta", piece, "item_id", itemId,
                                "output_index", outputIndex));
                    }
                }
            }
            if (choice.get("finish_reason") instanceof String reason) finish = reason;
        }

        private void openMessage() throws IOException {
            outputIndex++;
            itemId = hex();
            messageOpen = true;
            emit("response.output_item.added", Json.obj("item", Json.obj("id", itemId, "content", List.of(), "role", "assistant",
                    "status", "in_progress", "type", "message"), "output_index", outputIndex));
            emit("response.content_part.added", Json.obj("content_index", 0, "item_id", itemId, "output_index", outputIndex,
                    "part", Json.obj("annotations", List.of(), "text", "", "type", "output_text", "logprobs", List.of())));
        }

        private void openCall(String name) throws IOException {
            outputIndex++;
            itemId = hex();
            callId = "call_" + hex(); // vLLM's own, not the chat tool call's id
            callName = name;
            arguments.setLength(0);
            emit("response.output_item.added", Json.obj("item", functionCall(itemId, callId, name, "", "in_progress"),
                    "output_index", outputIndex));
        }

        /** Closes the open item: its done events, and its final form for response.completed. */
        private void close() throws IOException {
            if (messageOpen) {
                messageOpen = false;
                String full = text.toString();
                emit("response.output_text.done", Json.obj("content_index", 0, "item_id", itemId, "logprobs", List.of(),
                        "output_index", outputIndex, "text", full));
                Map<String, Object> part = Json.obj("annotations", List.of(), "text", full, "type", "output_text", "logprobs", Json.NULL);
                emit("response.content_part.done", Json.obj("content_index", 0, "item_id", itemId, "output_index", outputIndex,
                        "part", part));
                Map<String, Object> item = Json.obj("id", itemId, "content", List.of(part), "role", "assistant",
                        "status", "completed", "type", "message");
                emit("response.output_item.done", Json.obj("item", item, "output_index", outputIndex));
                output.add(messageItem("msg_" + hex(), full, generation.logprobs ? List.copyOf(logprobs) : Json.NULL, "completed"));
                text.setLength(0);
            } else if (callId != null) {
                String full = arguments.toString();
                emit("response.function_call_arguments.done", Json.obj("arguments", full, "item_id", itemId, "name", callName,
                        "output_index", outputIndex));
                emit("response.output_item.done", Json.obj("item", functionCall(itemId, callId, callName, full, "completed"),
                        "output_index", outputIndex));
                // rebuilt as the whole answer is: fresh fc_ and call_ ids, which do not match the streamed ones
                output.add(functionCall("fc_" + hex(), "call_" + hex(), callName, full, "completed"));
                callId = null;
            }
        }
    }
}
