package io.switchboard.simulator;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the simulated model weighs and how fast it is, derived from its name and the flags:
 * weights from the parameter count in the name ({@code Llama-3.1-8B} is 8 billion parameters,
 * two bytes each in bf16, one in fp8/int8, half in 4-bit), KV cache bytes per token from a
 * fit to Llama-class models (128 KiB at 8B, about 320 KiB at 70B), and the seed article's
 * load times (8 s for a 7B model, 62 s for a 70B fp8 model).
 */
final class ModelProfile {

    static final double GIB = 1024.0 * 1024 * 1024;
    private static final Pattern PARAMETERS = Pattern.compile("(?i)(?:^|[^a-z0-9.])(\\d+(?:\\.\\d+)?)([bm])(?![a-z0-9])");

    final double parametersBillions;
    final double bytesPerParameter;
    final double weightsGib;
    final double kvBytesPerToken;
    final double loadSeconds;
    final double tpotMillis;

    ModelProfile(ServeArgs args) {
        String name = args.model;
        this.parametersBillions = parameters(name);
        this.bytesPerParameter = bytesPerParameter(name, args.string("--quantization"), args.string("--dtype"));
        Double weights = args.optionalNumber("--sim-weights-gib");
        this.weightsGib = weights != null ? weights : parametersBillions * 1e9 * bytesPerParameter / GIB;
        double kv = 128 * 1024 * Math.pow(Math.max(parametersBillions, 0.1) / 8.0, 0.45);
        String kvDtype = args.string("--kv-cache-dtype");
        this.kvBytesPerToken = kvDtype != null && kvDtype.startsWith("fp8") ? kv / 2 : kv;
        Double load = args.optionalNumber("--sim-load-seconds");
        // power law through (14 GiB, 8 s) and (70 GiB, 62 s)
        this.loadSeconds = load != null ? load : 8.0 * Math.pow(Math.max(weightsGib, 0.1) / 14.0, 1.2725);
        Double tpot = args.optionalNumber("--sim-tpot-ms");
        this.tpotMillis = tpot != null ? tpot : 10.0 + 0.5 * weightsGib;
    }

    /** Billions of parameters named in the model id ({@code 8B}, {@code 125m}); 0.6 for an embedding model that names none, else 7. */
    static double parameters(String model) {
        String base = model.substring(model.lastIndexOf('/') + 1);
        Matcher matcher = PARAMETERS.matcher(base);
        double found = -1;
        while (matcher.find()) {
            double value = Double.parseDouble(matcher.group(1));
            found = matcher.group(2).equalsIgnoreCase("m") ? value / 1000.0 : value;
        }
        if (found > 0) return found;
        String lower = base.toLowerCase(Locale.ROOT);
        // embedding models rarely say their size: most are encoders of 0.1 to 0.6 billion parameters
        if (lower.contains("embed") || lower.contains("bge") || lower.startsWith("e5-") || lower.startsWith("gte-")
                || lower.contains("minilm") || lower.contains("mpnet")) {
            return 0.6;
        }
        return 7.0;
    }

    static double bytesPerParameter(String model, String quantization, String dtype) {
        String q = quantization == null ? "" : quantization.toLowerCase(Locale.ROOT);
        String name = model.toLowerCase(Locale.ROOT);
        if (q.contains("awq") || q.contains("gptq") || q.contains("bitsandbytes") || q.contains("mxfp4")
                || name.contains("awq") || name.contains("gptq") || name.contains("int4") || name.contains("4bit")) {
            return 0.5;
        }
        if (q.contains("fp8") || q.contains("int8") || q.contains("modelopt") || name.contains("fp8") || name.contains("int8")) {
            return 1.0;
        }
        if ("float".equals(dtype) || "float32".equals(dtype)) return 4.0;
        return 2.0;
    }
}
