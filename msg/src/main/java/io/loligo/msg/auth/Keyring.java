package io.loligo.msg.auth;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Entities' secret keys and caps in Ceph's keyring file format:
 * <pre>
 *   # comment (also ';')
 *   [client.admin]
 *   	key = AQBase64SecretBytes==
 *   	caps mon = "allow *"
 *   	caps osd = "allow rw pool=rbd"
 * </pre>
 * One section per entity; {@code key} is the base64 of the secret (at least 16 bytes; a key from
 * a Ceph keyring is accepted as the bytes its base64 decodes to); each {@code caps SERVICE} line
 * holds that service's capability text (grammar in {@link Caps}), quotes optional. Other keys are
 * ignored. {@link #write} produces this format with entities and services sorted, tab-indented,
 * written to a temporary file, fsynced, renamed into place, mode 0600.
 */
public final class Keyring implements KeyLookup {
    public static final int GENERATED_KEY_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, EntityKey> entries = new ConcurrentSkipListMap<>();

    public Keyring() {}

    /** A new random secret key, base64. */
    public static String generateKey() {
        byte[] key = new byte[GENERATED_KEY_BYTES];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    public static Keyring load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses keyring text; {@code source} names it in error messages. */
    public static Keyring parse(String text, String source) {
        Keyring keyring = new Keyring();
        String entity = null;
        String key = null;
        Map<String, String> caps = new TreeMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripComment(lines[i]).trim();
            if (line.isEmpty()) {
                continue;
            }
            String where = source + ":" + (i + 1);
            if (line.startsWith("[")) {
                keyring.addParsed(entity, key, caps, where);
                entity = sectionName(line, where);
                key = null;
                caps = new TreeMap<>();
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new FormatException(where + ": expected 'name = value', got '" + line + "'");
            }
            if (entity == null) {
                throw new FormatException(where + ": '" + line + "' outside any [entity] section");
            }
            String name = line.substring(0, eq).trim().replaceAll("\\s+", " ");
            String value = unquote(line.substring(eq + 1).trim(), where);
            if (name.equals("key")) {
                key = value;
            } else if (name.startsWith("caps ")) {
                caps.put(name.substring("caps ".length()).trim(), value);
            }
        }
        keyring.addParsed(entity, key, caps, source + ":" + lines.length);
        return keyring;
    }

    private void addParsed(String entity, String key, Map<String, String> caps, String where) {
        if (entity == null) {
            return;
        }
        if (key == null) {
            throw new FormatException(where + ": section [" + entity + "] has no 'key = ...' line");
        }
        if (entries.containsKey(entity)) {
            throw new FormatException(where + ": section [" + entity + "] appears twice");
        }
        try {
            put(entity, EntityKey.of(key, caps));
        } catch (IllegalArgumentException e) {
            throw new FormatException(where + ": [" + entity + "]: " + e.getMessage());
        }
    }

    private static String stripComment(String line) {
        String trimmed = line.trim();
        return trimmed.startsWith("#") || trimmed.startsWith(";") ? "" : line;
    }

    private static String sectionName(String line, String where) {
        if (!line.endsWith("]") || line.length() < 3) {
            throw new FormatException(where + ": malformed section header '" + line + "' (expected [entity.name])");
        }
        return line.substring(1, line.length() - 1).trim();
    }

    private static String unquote(String value, String where) {
        if (value.startsWith("\"")) {
            if (value.length() < 2 || !value.endsWith("\"")) {
                throw new FormatException(where + ": unterminated quote in " + value);
            }
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    /**
     * Ceph's entity names: a type, a dot, an id: {@code mon.} (the monitors' shared key), {@code
     * mon.a}, {@code osd.3}, {@code mgr.x}, {@code mds.a}, {@code client.admin}, {@code client.rgw.host1}.
     */
    public static boolean isValidEntityName(String entity) {
        return entity != null && ENTITY_NAME.matcher(entity).matches();
    }

    private static final java.util.regex.Pattern ENTITY_NAME = java.util.regex.Pattern.compile(
            "mon\\.[A-Za-z0-9_.-]*|osd\\.[0-9]+|(mgr|mds|client)\\.[A-Za-z0-9_.-]+");

    /** Adds or replaces {@code entity}; the name and caps are validated. */
    public Keyring put(String entity, EntityKey entry) {
        if (!isValidEntityName(entity)) {
            throw new IllegalArgumentException("entity name '" + entity
                    + "' is not valid (expected TYPE.ID: mon., mon.a, osd.3, mgr.x, mds.a, client.admin)");
        }
        entry.parsedCaps();
        entries.put(entity, entry);
        return this;
    }

    public Keyring remove(String entity) {
        entries.remove(entity);
        return this;
    }

    @Override
    public Optional<EntityKey> lookup(String entity) {
        return Optional.ofNullable(entries.get(entity));
    }

    public Map<String, EntityKey> entries() {
        return Collections.unmodifiableMap(entries);
    }

    public String format() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, EntityKey> entry : entries.entrySet()) {
            out.append('[').append(entry.getKey()).append("]\n");
            out.append("\tkey = ").append(entry.getValue().keyBase64()).append('\n');
            for (Map.Entry<String, String> cap : entry.getValue().caps().entrySet()) {
                out.append("\tcaps ").append(cap.getKey()).append(" = \"").append(cap.getValue()).append("\"\n");
            }
        }
        return out.toString();
    }

    /** Writes durably: temp file in the same directory, fsync, atomic rename, fsync of the directory. */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.write(StandardCharsets.UTF_8.encode(format()));
            channel.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.delete(tmp);
            throw e;
        }
        try (FileChannel dirChannel = FileChannel.open(dir, StandardOpenOption.READ)) {
            dirChannel.force(true);
        }
    }

    /** A keyring file that does not follow the format; the message names file and line. */
    public static final class FormatException extends IllegalArgumentException {
        public FormatException(String message) {
            super(message);
        }
    }
}
