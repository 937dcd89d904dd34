package io.switchboard.simulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic stand-in for a BPE tokenizer: the same text always gives the same tokens, and
 * {@link #decode} gives the text back. Text is split GPT-style into pieces (a word with its
 * leading space, a run of up to three digits, one punctuation mark, whitespace). A piece in the
 * built-in vocabulary (the corpus words, with and without a leading space) is one token; any other
 * piece is split into three-byte chunks (one token each) and a one- or two-byte tail (a token per
 * byte). English prose comes out near four characters a token, as with real tokenizers.
 *
 * <p>Ids: 0-255 single bytes; 256 up the vocabulary; 2^24 plus the 24-bit value for a three-byte chunk.
 */
final class Tokenizer {

    static final String[] CORPUS = ("the of and to in is that for it as with was on be by this are at from or an "
            + "which have not but can all were we their has one more will so there been also would about into "
            + "model models data system engine request requests token tokens memory GPU time first each when other "
            + "than these them some may only its new like over such use used after two most very through where much "
            + "then between both many well because any those how while being same under work way even should must "
            + "long large small fast slow cache batch batches load loads loaded queue queues route routes router "
            + "gateway tenant tenants quota quotas budget usage cost price minute second hour day answer answers "
            + "question questions code language languages chat conversation context length prompt output input "
            + "stream streams server servers client clients process processes sleep wake weights layer layers "
            + "attention kernel kernels throughput latency concurrency scheduler policy eviction resident swap "
            + "reload state ready failed health metric metrics write read value values result results point points "
            + "good better best simple clear short example examples number numbers part parts place group case "
            + "world people life hand high low right left next last little own great old young important different "
            + "public private early late open close free full half whole true false sure possible real able").split(" ");

    private static final int BYTE_TOKENS = 256;
    static final int CHUNK_BASE = 1 << 24;
    private static final Pattern PIECES = Pattern.compile(" ?[A-Za-z]+| ?[0-9]{1,3}| ?[^\\sA-Za-z0-9]|\\s+(?!\\S)|\\s+");

    private static final Map<String, Integer> VOCABULARY = new HashMap<>();
    private static final List<String> WORDS = new ArrayList<>();

    static {
        for (String word : CORPUS) {
            for (String piece : new String[]{word, " " + word}) {
                if (!VOCABULARY.containsKey(piece)) {
                    VOCABULARY.put(piece, BYTE_TOKENS + WORDS.size());
                    WORDS.add(piece);
                }
            }
        }
    }

    private Tokenizer() {
    }

    static List<Integer> encode(String text) {
        List<Integer> tokens = new ArrayList<>(text.length() / 3 + 1);
        Matcher pieces = PIECES.matcher(text);
        while (pieces.find()) {
            String piece = pieces.group();
            Integer id = VOCABULARY.get(piece);
            if (id != null) {
                tokens.add(id);
                continue;
            }
            byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
            int i = 0;
            for (; i + 3 <= bytes.length; i += 3) {
                tokens.add(CHUNK_BASE + ((bytes[i] & 0xff) << 16 | (bytes[i + 1] & 0xff) << 8 | (bytes[i + 2] & 0xff)));
            }
            for (; i < bytes.length; i++) tokens.add(bytes[i] & 0xff);
        }
        return tokens;
    }

    /** The number of tokens of {@code text}, without building the list. */
    static int count(String text) {
        int count = 0;
        Matcher pieces = PIECES.matcher(text);
        while (pieces.find()) {
            String piece = pieces.group();
            if (VOCABULARY.containsKey(piece)) {
                count++;
            } else {
                int bytes = utf8Length(piece);
                count += bytes / 3 + bytes % 3;
            }
        }
        return count;
    }

    static String decode(List<Integer> tokens) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : tokens) {
            if (id < 0) throw new IllegalArgumentException("token id " + id + " is out of range");
            if (id < BYTE_TOKENS) {
                out.write(id);
            } else if (id < BYTE_TOKENS + WORDS.size()) {
                out.writeBytes(WORDS.get(id - BYTE_TOKENS).getBytes(StandardCharsets.UTF_8));
            } else if (id >= CHUNK_BASE && id < CHUNK_BASE + (1 << 24)) {
                int v = id - CHUNK_BASE;
                out.write(v >> 16);
                out.write((v >> 8) & 0xff);
                out.write(v & 0xff);
            } else {
                throw new IllegalArgumentException("token id " + id + " is out of range");
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The token of a corpus word with a leading space: what the generator emits. */
    static String word(int index) {
        return " " + CORPUS[index % CORPUS.length];
    }

    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) bytes += 1;
            else if (c < 0x800) bytes += 2;
            else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else bytes += 3;
        }
        return bytes;
    }
}
