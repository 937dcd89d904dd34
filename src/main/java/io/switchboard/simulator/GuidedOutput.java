package io.switchboard.simulator;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What guided decoding makes the model write, planned before the first token: JSON that follows the
 * {@code response_format} schema, or tool calls whose arguments follow their function's schema ({@code tool_choice}
 * required or named; under auto the model calls one half the time). One {@link Unit} a token; the
 * {@link Completion} emits them at the engine's pace.
 */
final class GuidedOutput {

    /** One planned token: content text ({@code call} -1) or a piece of tool call {@code call}'s arguments; {@code opens} a call. */
    record Unit(int call, String text, boolean opens) {
    }

    final List<Unit> units = new ArrayList<>();
    /** The tool calls planned: {id, name}; their arguments as generated so far in {@link #arguments}. */
    final List<String[]> calls = new ArrayList<>();
    final List<StringBuilder> arguments = new ArrayList<>();

    private final GenerationRequest request;
    private final SplittableRandom random;

    private GuidedOutput(GenerationRequest request, SplittableRandom random) {
        this.request = request;
        this.random = random;
    }

    /** The plan for one choice, or null when its output is free prose. */
    static GuidedOutput plan(GenerationRequest request, SplittableRandom random) {
        GuidedOutput plan = new GuidedOutput(request, random);
        switch (request.output) {
            case JSON -> {
                Object value = request.jsonSchema == null
                        ? Json.obj("answer", plan.sentence()) : SchemaSample.of(request.jsonSchema, random);
                for (String piece : Completion.pieces(Json.writePython(value))) plan.units.add(new Unit(-1, piece, false));
            }
            case NAMED_TOOL -> plan.call(request.namedTool, false);
            case REQUIRED_TOOL -> {
                int count = request.parallelToolCalls && random.nextInt(4) == 0 ? 2 : 1;
                for (int i = 0; i < count; i++) plan.call(plan.randomTool(), true);
            }
            case AUTO_TOOL -> {
                if (!random.nextBoolean()) return null; // the model chose to answer in prose
                plan.call(plan.randomTool(), true);
            }
            default -> {
                return null;
            }
        }
        return plan;
    }

    boolean callsTools() {
        return !calls.isEmpty();
    }

    private void call(String name, boolean opens) {
        int call = calls.size();
        // vLLM's make_tool_call_id: "chatcmpl-tool-" and random_uuid()'s 32 hex digits (from the seeded source here)
        calls.add(new String[] {"chatcmpl-tool-" + HexFormat.of().toHexDigits(random.nextLong())
                + HexFormat.of().toHexDigits(random.nextLong()), name});
        arguments.add(new StringBuilder());
        if (opens) units.add(new Unit(call, "", true));
        List<String> pieces = Completion.pieces(Json.writePython(SchemaSample.of(request.tools.get(name), random)));
        for (int i = 0; i < pieces.size(); i++) units.add(new Unit(call, pieces.get(i), !opens && i == 0));
    }

    private String randomTool() {
        List<String> names = new ArrayList<>(request.tools.keySet());
        return names.get(random.nextInt(names.size()));
    }

    private String sentence() {
        StringBuilder out = new StringBuilder();
        int words = 3 + random.nextInt(8);
        for (int i = 0; i < words; i++) out.append(Tokenizer.word(random.nextInt(Tokenizer.CORPUS.length)));
        return out.toString().strip();
    }
}
