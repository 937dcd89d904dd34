package io.switchboard.simulator;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A validated {@code /v1/chat/completions} or {@code /v1/completions} body, checked as vLLM's
 * pydantic models check it: wrong types, missing fields and context overflow are 400s naming
 * the parameter, an unknown model is a 404.
 */
final class GenerationRequest {

    final boolean chat;
    final String responseModel;
    final String lora;
    final List<String> prompts;   // completions: one entry per prompt; chat: the rendered conversation
    final List<Integer> promptTokens;
    final String lastUserText;
    final int n;
    final int maxTokens;
    final int minTokens;
    final List<String> stop;
    final Long seed;
    final boolean stream;
    final boolean includeUsage;
    final boolean continuousUsage;
    final boolean ignoreEos;
    final boolean echo;
    /** What the output must be: prose, JSON ({@code response_format}) or tool calls ({@code tools}, {@code tool_choice}). */
    final Output output;
    /** The function tools offered: name to parameters schema, in order. */
    final Map<String, Object> tools;
    /** The tool {@code tool_choice} names, for {@link Output#NAMED_TOOL}. */
    final String namedTool;
    /** The schema JSON output follows ({@code json_schema}); null for {@code json_object}. */
    final Object jsonSchema;
    final boolean parallelToolCalls;
    final boolean logprobs;
    final int topLogprobs;

    enum Output { PROSE, JSON, NAMED_TOOL, REQUIRED_TOOL, AUTO_TOOL }

    @SuppressWarnings("unchecked")
    GenerationRequest(boolean chat, Object parsed, Engine engine) {
        if (!(parsed instanceof Map<?, ?>)) throw ApiError.badRequest(null, "Input should be a valid dictionary");
        Map<String, Object> body = (Map<String, Object>) parsed;
        this.chat = chat;

        Object model = body.get("model");
        String requested = model == null || model == Json.NULL ? null : string(body, "model");
        if (requested == null || engine.servedNames.contains(requested)) {
            this.responseModel = engine.modelName();
            this.lora = null;
        } else if (engine.adapters.containsKey(requested)) {
            this.responseModel = requested;
            this.lora = requested;
        } else {
            throw ApiError.notFound("model", "The model `" + requested + "` does not exist.");
        }

        this.prompts = new ArrayList<>();
        this.promptTokens = new ArrayList<>();
        if (chat) {
            Object messages = body.get("messages");
            if (messages == null) throw ApiError.badRequest("messages", "Field required");
            if (!(messages instanceof List<?> list)) throw ApiError.badRequest("messages", "Input should be a valid list");
            StringBuilder rendered = new StringBuilder();
            int tokens = 3; // the assistant generation prompt
            String lastUser = "";
            int index = 0;
            for (Object item : list) {
                String where = "messages." + index++;
                if (!(item instanceof Map<?, ?> message)) throw ApiError.badRequest(where, "Input should be a valid dictionary");
                Object role = message.get("role");
                if (!(role instanceof String roleName)) throw ApiError.badRequest(where + ".role", "Field required");
                String content = content(message.get("content"), where + ".content");
                tokens += 4 + Tokenizer.count(roleName) + Tokenizer.count(content);
                rendered.append("<|").append(roleName).append("|>").append(content).append('\n');
                if (roleName.equals("user")) lastUser = content;
            }
            if (list.isEmpty()) throw ApiError.badRequest("messages", "List should have at least 1 item after validation, not 0");
            prompts.add(rendered.toString());
            promptTokens.add(tokens);
            this.lastUserText = lastUser;
        } else {
            Object prompt = body.get("prompt");
            if (prompt == null || prompt == Json.NULL) throw ApiError.badRequest("prompt", "Either prompt or prompt_embeds must be provided and non-empty.");
            readPrompts(prompt);
            this.lastUserText = prompts.get(prompts.size() - 1);
        }

        this.n = intField(body, "n", 1, 1, 128);
        Integer maxCompletion = optionalInt(body, "max_completion_tokens");
        Integer max = maxCompletion != null ? maxCompletion : optionalInt(body, "max_tokens");
        String maxParam = maxCompletion != null ? "max_completion_tokens" : "max_tokens";
        if (max != null && max < 1) throw ApiError.badRequest(maxParam, "Input should be greater than or equal to 1");
        if (max != null && max > engine.maxModelLen) {
            throw ApiError.badRequest(maxParam, "max_tokens=" + max + " cannot be greater than max_model_len="
                    + engine.maxModelLen + ". Please request fewer output tokens.");
        }
        int longestPrompt = promptTokens.stream().mapToInt(Integer::intValue).max().orElse(0);
        if (longestPrompt >= engine.maxModelLen || (max != null && longestPrompt + max > engine.maxModelLen)) {
            int requestedOut = max == null ? 0 : max;
            throw ApiError.badRequest("input_tokens", "You passed " + longestPrompt + " input tokens and requested "
                    + requestedOut + " output tokens. However, the model's context length is only " + engine.maxModelLen
                    + " tokens, resulting in a maximum input length of " + (engine.maxModelLen - Math.max(requestedOut, 1))
                    + " tokens. Please reduce the length of the input prompt.");
        }
        this.maxTokens = max != null ? max : chat ? engine.maxModelLen - longestPrompt : Math.min(16, engine.maxModelLen - longestPrompt);
        this.minTokens = intField(body, "min_tokens", 0, 0, Integer.MAX_VALUE);
        this.stop = stops(body.get("stop"));
        Object seedValue = body.get("seed");
        if (seedValue == null || seedValue == Json.NULL) {
            this.seed = null;
        } else if (seedValue instanceof BigDecimal d && d.scale() <= 0) {
            try {
                this.seed = d.longValueExact();
            } catch (ArithmeticException e) {
                throw ApiError.badRequest("seed", "Input should be less than or equal to 9223372036854775807");
            }
        } else {
            throw ApiError.badRequest("seed", "Input should be a valid integer");
        }
        this.stream = bool(body, "stream", false);
        Object options = body.get("stream_options");
        if (options != null && options != Json.NULL) {
            if (!stream) throw ApiError.badRequest("stream_options", "Stream options can only be defined when `stream=True`.");
            if (!(options instanceof Map<?, ?> map)) throw ApiError.badRequest("stream_options", "Input should be a valid dictionary");
            this.includeUsage = bool((Map<String, Object>) map, "include_usage", true) || engine.args.flag("--enable-force-include-usage");
            this.continuousUsage = bool((Map<String, Object>) map, "continuous_usage_stats", false);
        } else {
            this.includeUsage = engine.args.flag("--enable-force-include-usage");
            this.continuousUsage = false;
        }
        this.ignoreEos = bool(body, "ignore_eos", false);
        this.echo = bool(body, "echo", false);
        number(body, "temperature");
        number(body, "top_p");
        number(body, "presence_penalty");
        number(body, "frequency_penalty");
        Object logprobs = body.get("logprobs");
        Object topLogprobs = body.get("top_logprobs");
        if (chat && topLogprobs instanceof BigDecimal top && top.signum() > 0 && !Boolean.TRUE.equals(logprobs)) {
            throw ApiError.badRequest("top_logprobs", "when using `top_logprobs`, `logprobs` must be set to true.");
        }
        this.logprobs = chat ? bool(body, "logprobs", false) : body.get("logprobs") instanceof BigDecimal;
        this.topLogprobs = chat ? intField(body, "top_logprobs", 0, 0, engine.args.integer("--max-logprobs"))
                : body.get("logprobs") instanceof BigDecimal d ? Math.min(d.intValue(), engine.args.integer("--max-logprobs")) : 0;
        this.parallelToolCalls = bool(body, "parallel_tool_calls", true);
        this.tools = chat ? tools(body.get("tools")) : Map.of();
        Object toolChoice = body.get("tool_choice");
        if (toolChoice == Json.NULL) toolChoice = null;
        String named = null;
        Output kind = Output.PROSE;
        if (toolChoice != null && !"none".equals(toolChoice) && body.get("tools") == null) {
            throw ApiError.badRequest("tool_choice", "When using `tool_choice`, `tools` must be set.");
        }
        if (chat && !tools.isEmpty()) {
            Object choice = toolChoice == null ? "auto" : toolChoice;
            if ("auto".equals(choice)) {
                if (!engine.args.flag("--enable-auto-tool-choice") || !engine.args.has("--tool-call-parser")) {
                    throw ApiError.badRequest("tool_choice", "\"auto\" tool choice requires --enable-auto-tool-choice and "
                            + "--tool-call-parser to be set");
                }
                kind = Output.AUTO_TOOL;
            } else if ("required".equals(choice)) {
                kind = Output.REQUIRED_TOOL;
            } else if (choice instanceof Map<?, ?> map && map.get("function") instanceof Map<?, ?> function
                    && function.get("name") instanceof String name) {
                if (!tools.containsKey(name)) {
                    throw ApiError.badRequest("tool_choice",
                            "The tool specified in `tool_choice` does not match any of the specified `tools`");
                }
                named = name;
                kind = Output.NAMED_TOOL;
            } else if (!"none".equals(choice)) {
                throw ApiError.badRequest("tool_choice", "Input should be 'none', 'auto' or 'required', or a named tool choice");
            }
        }
        Object schema = null;
        if (kind == Output.PROSE && body.get("response_format") instanceof Map<?, ?> format) {
            Object type = format.get("type");
            if ("json_object".equals(type)) {
                kind = Output.JSON;
            } else if ("json_schema".equals(type)) {
                if (!(format.get("json_schema") instanceof Map<?, ?> spec)) {
                    throw ApiError.badRequest("response_format", "When response_format type is 'json_schema', "
                            + "the 'json_schema' field must be provided.");
                }
                schema = spec.get("schema") == null ? Map.of() : spec.get("schema");
                kind = Output.JSON;
            } else if (!"text".equals(type)) {
                throw ApiError.badRequest("response_format", "Input tag '" + type + "' found using 'type' does not match any of "
                        + "the expected tags: 'text', 'json_object', 'json_schema', 'structural_tag'");
            }
        }
        this.output = kind;
        this.namedTool = named;
        this.jsonSchema = schema;
    }

    /** The request's function tools, by name, each one's parameters schema (an empty object schema when absent). */
    private static Map<String, Object> tools(Object value) {
        if (value == null || value == Json.NULL) return Map.of();
        if (!(value instanceof List<?> list)) throw ApiError.badRequest("tools", "Input should be a valid list");
        Map<String, Object> tools = new java.util.LinkedHashMap<>();
        int index = 0;
        for (Object item : list) {
            String where = "tools." + index++;
            if (!(item instanceof Map<?, ?> tool) || !(tool.get("function") instanceof Map<?, ?> function)) {
                throw ApiError.badRequest(where + ".function", "Field required");
            }
            if (!(function.get("name") instanceof String name)) throw ApiError.badRequest(where + ".function.name", "Field required");
            Object parameters = function.get("parameters");
            tools.put(name, parameters instanceof Map<?, ?> ? parameters : Json.obj("type", "object", "properties", Json.obj()));
        }
        return tools;
    }

    int totalPromptTokens() {
        return promptTokens.stream().mapToInt(Integer::intValue).sum();
    }

    @SuppressWarnings("unchecked")
    private void readPrompts(Object prompt) {
        if (prompt instanceof String text) {
            addPrompt(text);
        } else if (prompt instanceof List<?> list && !list.isEmpty()) {
            if (list.get(0) instanceof String) {
                for (Object item : list) {
                    if (!(item instanceof String text)) throw ApiError.badRequest("prompt", "Input should be a valid string");
                    addPrompt(text);
                }
            } else if (list.get(0) instanceof BigDecimal) {
                addTokenPrompt((List<Object>) list);
            } else if (list.get(0) instanceof List<?>) {
                for (Object item : list) {
                    if (!(item instanceof List<?> tokens) || tokens.isEmpty()) throw ApiError.badRequest("prompt", "Input should be a valid list");
                    addTokenPrompt((List<Object>) tokens);
                }
            } else {
                throw ApiError.badRequest("prompt", "Input should be a valid string");
            }
        } else {
            throw ApiError.badRequest("prompt", "Prompt cannot be empty.");
        }
    }

    private void addPrompt(String text) {
        if (text.isEmpty()) throw ApiError.badRequest("prompt", "Prompt cannot be empty.");
        prompts.add(text);
        promptTokens.add(Tokenizer.count(text));
    }

    private void addTokenPrompt(List<Object> tokens) {
        List<Integer> ids = new ArrayList<>();
        for (Object token : tokens) {
            if (!(token instanceof BigDecimal d) || d.scale() > 0 || d.signum() < 0) {
                throw ApiError.badRequest("prompt", "Input should be a valid integer");
            }
            ids.add(d.intValue());
        }
        String text;
        try {
            text = Tokenizer.decode(ids);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("prompt", e.getMessage());
        }
        prompts.add(text);
        promptTokens.add(ids.size());
    }

    private static String content(Object content, String where) {
        if (content == null || content == Json.NULL) return "";
        if (content instanceof String text) return text;
        if (content instanceof List<?> parts) {
            StringBuilder text = new StringBuilder();
            for (Object part : parts) {
                if (!(part instanceof Map<?, ?> map) || !(map.get("type") instanceof String type)) {
                    throw ApiError.badRequest(where, "Input should be a valid dictionary");
                }
                if (type.equals("text") && map.get("text") instanceof String partText) {
                    text.append(partText);
                } else if (type.equals("image_url") || type.equals("input_audio") || type.equals("video_url")
                        || type.equals("audio_url")) {
                    throw ApiError.badRequest(where, "This model does not support multimodal inputs: '" + type + "'");
                } else if (!type.equals("refusal")) {
                    throw ApiError.badRequest(where, "Unknown part type: " + type);
                }
            }
            return text.toString();
        }
        throw ApiError.badRequest(where, "Input should be a valid string");
    }

    private static List<String> stops(Object stop) {
        if (stop == null || stop == Json.NULL) return List.of();
        if (stop instanceof String s) return s.isEmpty() ? List.of() : List.of(s);
        if (stop instanceof List<?> list) {
            List<String> stops = new ArrayList<>();
            for (Object item : list) {
                if (!(item instanceof String s)) throw ApiError.badRequest("stop", "Input should be a valid string");
                if (!s.isEmpty()) stops.add(s);
            }
            return stops;
        }
        throw ApiError.badRequest("stop", "Input should be a valid string or list of strings");
    }

    private static String string(Map<String, Object> body, String field) {
        Object value = body.get(field);
        if (!(value instanceof String s)) throw ApiError.badRequest(field, "Input should be a valid string");
        return s;
    }

    private static Integer optionalInt(Map<String, Object> body, String field) {
        Object value = body.get(field);
        if (value == null || value == Json.NULL) return null;
        if (!(value instanceof BigDecimal d) || d.stripTrailingZeros().scale() > 0) {
            throw ApiError.badRequest(field, "Input should be a valid integer");
        }
        try {
            return d.intValueExact();
        } catch (ArithmeticException e) {
            throw ApiError.badRequest(field, "Input should be a valid integer");
        }
    }

    private static int intField(Map<String, Object> body, String field, int fallback, int min, int max) {
        Integer value = optionalInt(body, field);
        if (value == null) return fallback;
        if (value < min) throw ApiError.badRequest(field, "Input should be greater than or equal to " + min);
        if (value > max) throw ApiError.badRequest(field, "Input should be less than or equal to " + max);
        return value;
    }

    private static boolean bool(Map<String, Object> body, String field, boolean fallback) {
        Object value = body.get(field);
        if (value == null || value == Json.NULL) return fallback;
        if (!(value instanceof Boolean b)) throw ApiError.badRequest(field, "Input should be a valid boolean");
        return b;
    }

    private static void number(Map<String, Object> body, String field) {
        Object value = body.get(field);
        if (value != null && value != Json.NULL && !(value instanceof BigDecimal)) {
            throw ApiError.badRequest(field, "Input should be a valid number");
        }
    }
}
