package io.loligo.msg.auth;

import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * An entity's secret key and capabilities, as a keyring or the monitors' auth database holds them.
 *
 * @param key  the secret (at least {@link #KEY_BYTES_MIN} bytes); never put on the wire
 * @param caps capability text per service ("mon" → "allow *", "osd" → "allow rw pool=rbd")
 */
public record EntityKey(byte[] key, Map<String, String> caps) {
    public static final int KEY_BYTES_MIN = 16;

    public EntityKey {
        if (key == null || key.length < KEY_BYTES_MIN) {
            throw new IllegalArgumentException("secret key has " + (key == null ? 0 : key.length)
                    + " bytes (expected at least " + KEY_BYTES_MIN + ")");
        }
        key = key.clone();
        caps = Collections.unmodifiableSortedMap(new TreeMap<>(caps));
    }

    public static EntityKey of(String base64Key, Map<String, String> caps) {
        return new EntityKey(decodeKey(base64Key), caps);
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    public String keyBase64() {
        return Base64.getEncoder().encodeToString(key);
    }

    /** The capabilities parsed; fails with {@link Caps.ParseException} on a malformed grant. */
    public Caps parsedCaps() {
        return Caps.parse(caps);
    }

    static byte[] decodeKey(String base64) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret key is not base64: " + e.getMessage(), e);
        }
        if (key.length < KEY_BYTES_MIN) {
            throw new IllegalArgumentException("secret key decodes to " + key.length + " bytes (expected at least "
                    + KEY_BYTES_MIN + ")");
        }
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EntityKey other && Arrays.equals(key, other.key) && caps.equals(other.caps);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + caps.hashCode();
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "EntityKey[caps=" + caps + "]";
    }
}
