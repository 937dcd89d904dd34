package io.switchboard.simulator;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One choice's log probabilities, as vLLM reports them: chat's {@code {"content": [{token, logprob, bytes,
 * top_logprobs}]}} or completions' {@code {text_offset, token_logprobs, tokens, top_logprobs}}; a stream gets the
 * tokens since its last chunk. Drawn from a random source of their own, so that asking for logprobs does not
 * change the text.
 */
final class Logprobs {

    private final boolean chat;
    private final int top;
    private final SplittableRandom random;
    private final List<Object> entries = new ArrayList<>(); // chat: the entry maps; completions: {token, logprob}
    private int emitted;

    Logprobs(boolean chat, int top, long seed) {
        this.chat = chat;
        this.top = top;
        this.random = new SplittableRandom(seed);
    }

    void add(String token) {
        double chosen = -random.nextDouble() * 2;
        if (!chat) {
            entries.add(new Object[] {token, chosen});
            return;
        }
        List<Object> alternatives = new ArrayList<>();
        double next = chosen;
        for (int i = 0; i < top; i++) {
            String alternative = i == 0 ? token : Tokenizer.word(random.nextInt(Tokenizer.CORPUS.length));
            if (i > 0) next -= random.nextDouble() * 3;
            alternatives.add(Json.obj("token", alternative, "logprob", value(i == 0 ? chosen : next), "bytes", bytes(alternative)));
        }
        entries.add(Json.obj("token", token, "logprob", value(chosen), "bytes", bytes(token), "top_logprobs", alternatives));
    }

    /** Chat's logprobs: every token's, or (a stream chunk) those since the last chunk. */
    Object chat(boolean fresh) {
        List<Object> out = new ArrayList<>(entries.subList(fresh ? emitted : 0, entries.size()));
        if (fresh) emitted = entries.size();
        return Json.obj("content", out);
    }

    /** A text completion's logprobs: every token's, or (a stream chunk) those since the last chunk. */
    Object text(boolean fresh) {
        int from = fresh ? emitted : 0;
        List<Object> tokens = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        List<Object> alternatives = new ArrayList<>();
        List<Object> offsets = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i < entries.size(); i++) {
            Object[] entry = (Object[]) entries.get(i);
            String token = (String) entry[0];
            if (i >= from) {
                tokens.add(token);
                values.add(value((Double) entry[1]));
                alternatives.add(top > 0 ? Json.obj(token, value((Double) entry[1])) : Json.NULL);
                offsets.add(offset);
            }
            offset += token.length();
        }
        if (fresh) emitted = entries.size();
        return Json.obj("text_offset", offsets, "token_logprobs", values, "tokens", tokens, "top_logprobs", alternatives);
    }

    private static BigDecimal value(double logprob) {
        return BigDecimal.valueOf(logprob).setScale(4, RoundingMode.HALF_EVEN);
    }

    private static List<Object> bytes(String token) {
        List<Object> bytes = new ArrayList<>();
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) bytes.add(b & 0xff);
        return bytes;
    }
}
