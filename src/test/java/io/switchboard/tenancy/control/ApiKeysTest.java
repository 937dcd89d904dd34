package io.switchboard.tenancy.control;

import io.switchboard.tenancy.boundary.TenantAuthenticationFilter;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeysTest {

    @Test
    void generatedKeysAreUniqueAndLookLikeOpenAiKeys() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 1000; i++) keys.add(ApiKeys.generate());
        assertEquals(1000, keys.size());
        String key = keys.iterator().next();
        assertTrue(key.matches("sk-sb-[A-Za-z0-9_-]{43}"), key);
        assertTrue(ApiKeys.plausible(key));
    }

    @Test
    void theDisplayPrefixRevealsOnlyFourRandomCharacters() {
        String key = "sk-sb-ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        assertEquals("sk-sb-ABCD", ApiKeys.displayPrefix(key));
    }

    @Test
    void hashesAreStableHexSha256() {
        // echo -n abc | sha256sum
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeys.hash("abc"));
        assertEquals(ApiKeys.hash("sk-sb-x"), ApiKeys.hash("sk-sb-x"));
    }

    @Test
    void secretsCompareByValue() {
        assertTrue(ApiKeys.constantTimeEquals("token-1", "token-1"));
        assertFalse(ApiKeys.constantTimeEquals("token-1", "token-2"));
        assertFalse(ApiKeys.constantTimeEquals("token-1", "token-10"));
    }

    @Test
    void maskingKeepsOnlyTheEnds() {
        String masked = ApiKeys.masked("sk-sb-0123456789abcdefghijWXYZ");
        assertTrue(masked.startsWith("sk-sb-") && masked.endsWith("WXYZ"), masked);
        assertFalse(masked.contains("0123"), masked);
    }

    @Test
    void implausibleKeysNeverReachTheCache() {
        assertFalse(ApiKeys.plausible("short"));
        assertFalse(ApiKeys.plausible("has space inside the key"));
        assertFalse(ApiKeys.plausible("x".repeat(300)));
    }

    @Test
    void bearerTokensAreReadCaseInsensitively() {
        assertEquals("abc", TenantAuthenticationFilter.bearerToken("Bearer abc"));
        assertEquals("abc", TenantAuthenticationFilter.bearerToken("bearer   abc "));
        assertNull(TenantAuthenticationFilter.bearerToken("Basic abc"));
        assertNull(TenantAuthenticationFilter.bearerToken("Bearer "));
        assertNull(TenantAuthenticationFilter.bearerToken(null));
    }
}
