package io.switchboard.inference.control;

import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.gateway.entity.ApiException;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The chat features that tools built on the SDKs send (tools, {@code tool_choice}, {@code parallel_tool_calls},
 * {@code response_format}, {@code logprobs} with {@code top_logprobs}, {@code reasoning_effort}), checked as
 * OpenAI checks them, with its {@code param} and wording, so that a mistake is a 400 here and not an engine's
 * error or a silent no-op; what OpenAI accepts passes unchanged to the engine.
 */
final class ChatFeatures {

    private static final Pattern FUNCTION_NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");
    private static final List<String> TOOL_TYPES = List.of("function", "custom");
    private static final List<String> TOOL_CHOICES = List.of("none", "auto", "required");
    private static final List<String> FORMATS = List.of("json_object", "json_schema", "text");
    private static final List<String> EFFORTS = List.of("none", "minimal", "low", "medium", "high", "xhigh");

    private ChatFeatures() {
    }

    static void check(JsonRequest request) {
        JsonObject body = request.json();
        Set<String> functions = tools(body);
        toolChoice(body, functions);
        if (request.optionalBoolean("parallel_tool_calls") != null && !present(body, "tools")) {
            throw ApiException.invalid("parallel_tool_calls", "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' "
                    + "is only allowed when 'tools' are specified.");
        }
        responseFormat(body);
        Boolean logprobs = request.optionalBoolean("logprobs");
        if (present(body, "top_logprobs") && !Boolean.TRUE.equals(logprobs)) {
            throw ApiException.invalid("top_logprobs", "Invalid value for 'top_logprobs': 'logprobs' must be set to true "
                    + "when 'top_logprobs' is given.");
        }
        String effort = request.optionalString("reasoning_effort", 16);
        if (effort != null && !EFFORTS.contains(effort)) throw unsupported("reasoning_effort", effort, EFFORTS);
    }

    /** The function names the tools declare (custom tools have names too). */
    private static Set<String> tools(JsonObject body) {
        Set<String> names = new HashSet<>();
        if (!present(body, "tools")) return names;
        JsonArray tools = array(body, "tools");
        if (tools.size() > 128) {
            throw ApiException.invalid("tools", "Invalid 'tools': array too long. Expected an array with maximum length 128, "
                    + "but got an array with length " + tools.size() + " instead.");
        }
        for (int i = 0; i < tools.size(); i++) {
            String at = "tools[" + i + "]";
            JsonObject tool = object(tools.get(i), at);
            String type = string(tool, "type", at + ".type");
            if (type == null) throw missing(at + ".type");
            if (!TOOL_TYPES.contains(type)) throw unsupported(at + ".type", type, TOOL_TYPES);
            JsonValue definition = tool.get(type);
            if (definition == null || definition.getValueType() == JsonValue.ValueType.NULL) throw missing(at + "." + type);
            JsonObject function = object(definition, at + "." + type);
            String name = string(function, "name", at + "." + type + ".name");
            if (name == null) throw missing(at + "." + type + ".name");
            if (!FUNCTION_NAME.matcher(name).matches()) {
                throw ApiException.invalid(at + "." + type + ".name", "Invalid '" + at + "." + type + ".name': string does not "
                        + "match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$' of at most 64 characters.");
            }
            if (present(function, "parameters")) object(function.get("parameters"), at + "." + type + ".parameters");
            names.add(name);
        }
        return names;
    }

    private static void toolChoice(JsonObject body, Set<String> functions) {
        if (!present(body, "tool_choice")) return;
        JsonValue choice = body.get("tool_choice");
        if (!present(body, "tools")) {
            throw ApiException.invalid("tool_choice", "Invalid value for 'tool_choice': 'tool_choice' is only allowed when "
                    + "'tools' are specified.");
        }
        if (choice instanceof JsonString mode) {
            if (!TOOL_CHOICES.contains(mode.getString())) throw unsupported("tool_choice", mode.getString(), TOOL_CHOICES);
            return;
        }
        JsonObject named = object(choice, "tool_choice");
        String type = string(named, "type", "tool_choice.type");
        if (type == null) throw missing("tool_choice.type");
        if (!TOOL_TYPES.contains(type)) return; // allowed_tools and what comes next: the engine decides
        JsonValue function = named.get(type);
        if (function == null || function.getValueType() == JsonValue.ValueType.NULL) throw missing("tool_choice." + type);
        String name = string(object(function, "tool_choice." + type), "name", "tool_choice." + type + ".name");
        if (name == null) throw missing("tool_choice." + type + ".name");
        if (!functions.contains(name)) {
            throw ApiException.invalid("tool_choice", "Invalid value for 'tool_choice': the function '" + name
                    + "' is not among the 'tools'.");
        }
    }

    private static void responseFormat(JsonObject body) {
        if (!present(body, "response_format")) return;
        JsonObject format = object(body.get("response_format"), "response_format");
        String type = string(format, "type", "response_format.type");
        if (type == null) throw missing("response_format.type");
        if (!FORMATS.contains(type)) throw unsupported("response_format.type", type, FORMATS);
        if (!type.equals("json_schema")) return;
        if (!present(format, "json_schema")) throw missing("response_format.json_schema");
        JsonObject schema = object(format.get("json_schema"), "response_format.json_schema");
        String name = string(schema, "name", "response_format.json_schema.name");
        if (name == null) throw missing("response_format.json_schema.name");
        if (!FUNCTION_NAME.matcher(name).matches()) {
            throw ApiException.invalid("response_format.json_schema.name", "Invalid 'response_format.json_schema.name': "
                    + "string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.");
        }
        if (present(schema, "schema")) object(schema.get("schema"), "response_format.json_schema.schema");
    }

    private static boolean present(JsonObject object, String name) {
        JsonValue value = object.get(name);
        return value != null && value.getValueType() != JsonValue.ValueType.NULL;
    }

    private static JsonArray array(JsonObject body, String name) {
        JsonValue value = body.get(name);
        if (value.getValueType() != JsonValue.ValueType.ARRAY) throw wrongType(name, "an array", value);
        return value.asJsonArray();
    }

    private static JsonObject object(JsonValue value, String at) {
        if (value.getValueType() != JsonValue.ValueType.OBJECT) throw wrongType(at, "an object", value);
        return value.asJsonObject();
    }

    private static String string(JsonObject object, String name, String at) {
        JsonValue value = object.get(name);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) return null;
        if (!(value instanceof JsonString text)) throw wrongType(at, "a string", value);
        return text.getString();
    }

    private static ApiException missing(String param) {
        return ApiException.invalid(param, "Missing required parameter: '" + param + "'.");
    }

    private static ApiException wrongType(String param, String expected, JsonValue got) {
        return ApiException.invalid(param, "Invalid type for '" + param + "': expected " + expected + ", but got "
                + kind(got) + " instead.");
    }

    private static ApiException unsupported(String param, String value, List<String> supported) {
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < supported.size(); i++) {
            if (i > 0) values.append(i == supported.size() - 1 ? (supported.size() > 2 ? ", and " : " and ") : ", ");
            values.append('\'').append(supported.get(i)).append('\'');
        }
        return ApiException.invalid(param, "Invalid value: '" + value + "'. Supported values are: " + values + ".");
    }

    private static String kind(JsonValue value) {
        return switch (value.getValueType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case TRUE, FALSE -> "a boolean";
            case NULL -> "null";
        };
    }
}
