package io.switchboard.simulator;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator's pure parts: tokenizer, command line, model sizing, JSON. */
class SimulatorUnitTest {

    @Test
    void tokenizerRoundTripsAnyText() {
        for (String text : List.of("Hello, world!", "The gateway routes 1234567 requests.", "  spaces  and\ttabs\n",
                "ünïcödé and emoji 🎉", "")) {
            assertEquals(text, Tokenizer.decode(Tokenizer.encode(text)), text);
            assertEquals(Tokenizer.encode(text).size(), Tokenizer.count(text), text);
        }
    }

    @Test
    void englishProseIsAboutFourCharactersAToken() {
        String prose = "The model is loaded on the first request and stays resident while it is used; when memory "
                + "is needed the least valuable model is evicted and the queue waits for the swap.";
        double charsPerToken = (double) prose.length() / Tokenizer.count(prose);
        assertTrue(charsPerToken > 3 && charsPerToken < 6, "chars per token: " + charsPerToken);
    }

    @Test
    void humanReadableLengthsFollowVllm() {
        assertEquals(1000, ServeArgs.parseLength("1k"));
        assertEquals(1024, ServeArgs.parseLength("1K"));
        assertEquals(25600, ServeArgs.parseLength("25.6k"));
        assertEquals(131072, ServeArgs.parseLength("128K"));
        assertEquals(-1, ServeArgs.parseLength("auto"));
        assertThrows(NumberFormatException.class, () -> ServeArgs.parseLength("lots"));
    }

    @Test
    void flagsTakeBothFormsPrefixesAndNegation() {
        ServeArgs args = ServeArgs.parse(List.of("org/m-8b", "--port=9000", "--gpu-memory-util", "0.5",
                "--served-model-name", "a", "b", "--no-enable-prefix-caching", "-tp", "2"));
        assertEquals(9000, args.integer("--port"));
        assertEquals(0.5, args.number("--gpu-memory-utilization"));
        assertEquals(List.of("a", "b"), args.list("--served-model-name"));
        assertEquals(false, args.flag("--enable-prefix-caching"));
        assertEquals(2, args.integer("--tensor-parallel-size"));
        assertEquals(Map.of("model_tag", "org/m-8b", "port", 9000L, "gpu_memory_utilization", 0.5,
                "served_model_name", List.of("a", "b"), "enable_prefix_caching", false, "tensor_parallel_size", 2L),
                args.nonDefault);
    }

    @Test
    void badCommandLinesGiveArgparseMessages() {
        assertEquals("unrecognized arguments: --bogus", assertThrows(ServeArgs.UsageException.class,
                () -> ServeArgs.parse(List.of("m", "--bogus"))).getMessage());
        assertEquals("ambiguous option: --max-l", assertThrows(ServeArgs.UsageException.class,
                () -> ServeArgs.parse(List.of("m", "--max-l", "3"))).getMessage());
        assertTrue(assertThrows(ServeArgs.UsageException.class,
                () -> ServeArgs.parse(List.of("m", "--max-lora-rank", "7"))).getMessage().contains("invalid choice"));
    }

    @Test
    void weightsComeFromTheParameterCountInTheName() {
        assertEquals(8.0, ModelProfile.parameters("meta-llama/Llama-3.1-8B-Instruct"));
        assertEquals(70.0, ModelProfile.parameters("meta-llama/Llama-3.3-70B-Instruct"));
        assertEquals(0.125, ModelProfile.parameters("facebook/opt-125m"));
        assertEquals(1.5, ModelProfile.parameters("Qwen/Qwen2.5-Coder-1.5B"));
        assertEquals(7.0, ModelProfile.parameters("some/unnamed-model"));
        assertEquals(2.0, ModelProfile.bytesPerParameter("m-8b", null, "auto"));
        assertEquals(1.0, ModelProfile.bytesPerParameter("m-70b-FP8", null, "auto"));
        assertEquals(1.0, ModelProfile.bytesPerParameter("m-70b", "fp8", "auto"));
        assertEquals(0.5, ModelProfile.bytesPerParameter("TheBloke/m-7B-AWQ", null, "auto"));
    }

    @Test
    void theSeedArticlesLoadTimesAreTheDefaults() {
        ModelProfile small = new ModelProfile(ServeArgs.parse(List.of("m-7b", "--sim-weights-gib", "14")));
        ModelProfile large = new ModelProfile(ServeArgs.parse(List.of("m-70b", "--sim-weights-gib", "70")));
        assertEquals(8.0, small.loadSeconds, 0.01);
        assertEquals(62.0, large.loadSeconds, 0.5);
    }

    @Test
    void jsonReadsAndWritesWhatTheApiNeeds() {
        Object parsed = Json.parse("{\"a\":[1,2.5,\"x\\n\\u00e9\"],\"b\":null,\"c\":true}");
        assertEquals("{\"a\":[1,2.5,\"x\\né\"],\"b\":null,\"c\":true}", Json.write(parsed));
        assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\":"));
        assertThrows(Json.ParseException.class, () -> Json.parse("[1] 2"));
    }

    @Test
    void aStreamsContentChunksAreWrittenByteForByteAsTheGenericJsonWriterWritesThem() {
        for (String delta : java.util.List.of("Hello", " wor\"ld\\", "line\nbreak\t\u0001", "é漢字🙂", "")) {
            java.util.Map<String, Object> choice = Json.obj("index", 2, "delta", Json.obj("content", delta), "logprobs", Json.NULL,
                    "finish_reason", Json.NULL);
            choice.put("token_ids", Json.NULL);
            String generic = Json.write(Json.obj("id", "chatcmpl-1", "object", "chat.completion.chunk", "created", 1764547200L,
                    "model", "my \"model\"", "choices", java.util.List.of(choice)));
            StringBuilder templated = new StringBuilder(Completion.chunkHead("chatcmpl-1", "chat.completion.chunk", 1764547200L,
                    "my \"model\""));
            Completion.contentChoice(2, delta, templated);
            assertEquals(generic, templated.append("]}").toString());
        }
    }
}
