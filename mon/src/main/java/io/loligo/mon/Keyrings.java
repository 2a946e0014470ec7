package io.loligo.mon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads Ceph's keyring format to seed the auth database at bootstrap:
 * <pre>
 * [client.admin]
 *     key = AQD...==
 *     caps mon = "allow *"
 * </pre>
 * (The msg module's Keyring class replaces this once it lands.)
 */
final class Keyrings {
    private Keyrings() {}

    static Map<String, MonState.AuthEntity> read(Path path) throws IOException {
        Map<String, MonState.AuthEntity> out = new LinkedHashMap<>();
        String entity = null;
        String key = null;
        TreeMap<String, String> caps = new TreeMap<>();
        for (String raw : Files.readAllLines(path)) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                if (entity != null && key != null) {
                    out.put(entity, new MonState.AuthEntity(key, caps));
                }
                entity = line.substring(1, line.length() - 1).trim();
                key = null;
                caps = new TreeMap<>();
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IOException(path + ": expected 'key = value' in keyring, got '" + line + "'");
            }
            String k = line.substring(0, eq).trim();
            String v = line.substring(eq + 1).trim();
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                v = v.substring(1, v.length() - 1);
            }
            if (k.equals("key")) {
                key = v;
            } else if (k.startsWith("caps ")) {
                caps.put(k.substring(5).trim(), v);
            }
        }
        if (entity != null && key != null) {
            out.put(entity, new MonState.AuthEntity(key, caps));
        }
        return out;
    }
}
