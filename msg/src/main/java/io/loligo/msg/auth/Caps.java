package io.loligo.msg.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Capabilities per service ("mon", "osd", "mgr", ...), parsed from Ceph-style text:
 * <pre>
 *   caps   := grant ( "," grant )*
 *   grant  := "allow" SP perm [ SP "pool=" NAME ] [ SP "namespace=" NS ]
 *   perm   := "*" | any non-empty ordered subset of "rwx" ("r", "rw", "rwx", "w", "x", ...)
 * </pre>
 * {@code allow *} grants everything on the service. A grant without {@code pool=} covers every
 * pool; one with {@code namespace=} covers only objects in that namespace. Access is granted when
 * any single grant covers all that is asked.
 */
public final class Caps {
    /** The namespace of objects written without one. */
    public static final String DEFAULT_NAMESPACE = "";

    /** One {@code allow ...} clause. {@code pool} and {@code namespace} are null when unrestricted. */
    public record Grant(boolean read, boolean write, boolean exec, boolean all, String pool, String namespace) {
        boolean covers(String pool, String namespace, boolean needRead, boolean needWrite, boolean needExec) {
            if (all) {
                return true;
            }
            if (needRead && !read || needWrite && !write || needExec && !exec) {
                return false;
            }
            if (this.pool != null && !this.pool.equals(pool)) {
                return false;
            }
            return this.namespace == null || this.namespace.equals(namespace);
        }
    }

    private static final Caps NONE = new Caps(Map.of(), Map.of());

    private final Map<String, List<Grant>> grants;
    private final Map<String, String> text;

    private Caps(Map<String, List<Grant>> grants, Map<String, String> text) {
        this.grants = grants;
        this.text = text;
    }

    public static Caps none() {
        return NONE;
    }

    /** Parses service → caps text (as in a keyring: {@code caps osd = "allow rw pool=rbd"}). */
    public static Caps parse(Map<String, String> byService) {
        Map<String, List<Grant>> grants = new TreeMap<>();
        Map<String, String> text = new TreeMap<>();
        for (Map.Entry<String, String> entry : byService.entrySet()) {
            grants.put(entry.getKey(), parseGrants(entry.getKey(), entry.getValue()));
            text.put(entry.getKey(), entry.getValue());
        }
        return new Caps(Collections.unmodifiableMap(grants), Collections.unmodifiableMap(text));
    }

    /** Convenience for a single service. */
    public static Caps parse(String service, String capsText) {
        return parse(Map.of(service, capsText));
    }

    /** May this entity read and/or write {@code pool} (null: no pool, a service-level operation) in the default namespace? */
    public boolean check(String service, String pool, boolean needRead, boolean needWrite) {
        return check(service, pool, DEFAULT_NAMESPACE, needRead, needWrite, false);
    }

    public boolean check(String service, String pool, String namespace, boolean needRead, boolean needWrite, boolean needExec) {
        for (Grant grant : grants.getOrDefault(service, List.of())) {
            if (grant.covers(pool, namespace, needRead, needWrite, needExec)) {
                return true;
            }
        }
        return false;
    }

    public List<Grant> grants(String service) {
        return grants.getOrDefault(service, List.of());
    }

    /** The caps text per service, as configured. */
    public Map<String, String> text() {
        return text;
    }

    @Override
    public String toString() {
        return text.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Caps other && grants.equals(other.grants);
    }

    @Override
    public int hashCode() {
        return Objects.hash(grants);
    }

    static List<Grant> parseGrants(String service, String capsText) {
        List<Grant> grants = new ArrayList<>();
        for (String clause : capsText.split(",", -1)) {
            grants.add(parseGrant(service, capsText, clause.trim()));
        }
        return Collections.unmodifiableList(grants);
    }

    private static Grant parseGrant(String service, String capsText, String clause) {
        String[] words = clause.split("\\s+");
        if (clause.isEmpty() || !words[0].equals("allow")) {
            throw new ParseException(service, capsText, "grant '" + clause + "' must start with 'allow'");
        }
        if (words.length < 2) {
            throw new ParseException(service, capsText, "grant '" + clause + "' names no permission (expected *, r, rw or rwx)");
        }
        String perm = words[1];
        boolean all = perm.equals("*");
        if (!all && !perm.matches("r?w?x?") || perm.isEmpty()) {
            throw new ParseException(service, capsText, "permission '" + perm + "' is not one of *, r, w, x, rw, rx, wx, rwx");
        }
        String pool = null;
        String namespace = null;
        for (int i = 2; i < words.length; i++) {
            String word = words[i];
            if (word.startsWith("pool=") && pool == null && namespace == null) {
                pool = value(service, capsText, word, "pool=");
            } else if (word.startsWith("namespace=") && namespace == null) {
                namespace = value(service, capsText, word, "namespace=");
            } else {
                throw new ParseException(service, capsText, "unexpected '" + word + "' in grant '" + clause
                        + "' (expected pool=NAME then namespace=NS)");
            }
        }
        if (all && (pool != null || namespace != null)) {
            throw new ParseException(service, capsText, "'allow *' takes no pool or namespace");
        }
        return new Grant(all || perm.contains("r"), all || perm.contains("w"), all || perm.contains("x"), all, pool, namespace);
    }

    private static String value(String service, String capsText, String word, String prefix) {
        String value = word.substring(prefix.length());
        if (value.isEmpty()) {
            throw new ParseException(service, capsText, "'" + prefix + "' needs a value");
        }
        return value;
    }

    /** Caps text that does not follow the grammar. */
    public static final class ParseException extends IllegalArgumentException {
        public ParseException(String service, String capsText, String problem) {
            super("caps " + service + " \"" + capsText + "\": " + problem);
        }
    }
}
