package io.switchboard.tenancy.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** How API keys look, are made and are hashed. Pure functions: no state, no database. */
public final class ApiKeys {

    public static final String KEY_PREFIX = "sk-sb-";
    private static final int RANDOM_BYTES = 32;
    /** "sk-sb-" and the first four random characters. */
    private static final int DISPLAY_CHARS = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {
    }

    /** A new key: {@code sk-sb-} and 43 URL-safe characters carrying 256 random bits. */
    public static String generate() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** What is shown in lists: enough to recognise a key, far too little to use it. */
    public static String displayPrefix(String key) {
        return key.substring(0, Math.min(key.length(), DISPLAY_CHARS));
    }

    /** Lowercase hex SHA-256: what the database stores and what lookups compare. */
    public static String hash(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    /** Compares two secrets in time independent of where they differ. */
    public static boolean constantTimeEquals(String presented, String expected) {
        return MessageDigest.isEqual(sha256(presented), sha256(expected));
    }

    /** Cheap shape check so that obvious garbage never reaches the cache or the database. */
    public static boolean plausible(String key) {
        return key != null && key.length() >= 8 && key.length() <= 256 && key.chars().allMatch(c -> c > 32 && c < 127);
    }

    /** OpenAI's way of echoing a wrong key: its start and end, the middle starred out. */
    public static String masked(String key) {
        if (key.length() <= 10) return "*".repeat(key.length());
        return key.substring(0, 6) + "*".repeat(Math.min(20, key.length() - 10)) + key.substring(key.length() - 4);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
