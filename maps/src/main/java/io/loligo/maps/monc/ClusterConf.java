package io.loligo.maps.monc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster configuration file, INI like ceph.conf:
 * <pre>
 * [global]
 * fsid = 4f1c...           # a UUID; also names the Raft group
 * mon_initial_members = a, b, c
 * mon_host = 127.0.0.1:6789, 127.0.0.1:6790, 127.0.0.1:6791
 * keyring = /etc/loligo/keyring
 * [mon.a]
 * mon_addr = 127.0.0.1:6789       # client-facing address
 * mon_raft_addr = 127.0.0.1:7789  # Raft peer address
 * </pre>
 * As in Ceph, spaces and underscores in keys are the same ({@code mon host} = {@code mon_host});
 * {@code #} and {@code ;} start comments. A daemon's section overrides its type's ({@code [mon]}),
 * which overrides {@code [global]}.
 */
public final class ClusterConf {
    private final Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    private final Path path;

    private ClusterConf(Path path) {
        this.path = path;
    }

    public static ClusterConf parse(String text, Path path) throws ConfException {
        ClusterConf c = new ClusterConf(path);
        String section = "global";
        int lineNo = 0;
        for (String raw : text.split("\n", -1)) {
            lineNo++;
            String line = stripComment(raw).trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]") || line.length() < 3) {
                    throw new ConfException(path + ":" + lineNo + ": bad section header '" + line + "'");
                }
                section = line.substring(1, line.length() - 1).trim();
                c.sections.computeIfAbsent(section, k -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new ConfException(path + ":" + lineNo + ": expected 'key = value', got '" + line + "'");
            }
            String key = normalize(line.substring(0, eq));
            c.sections.computeIfAbsent(section, k -> new LinkedHashMap<>()).put(key, line.substring(eq + 1).trim());
        }
        return c;
    }

    public static ClusterConf load(Path path) throws ConfException {
        try {
            return parse(Files.readString(path), path);
        } catch (IOException e) {
            throw new ConfException("cannot read config file " + path + ": " + e.getMessage()
                    + " (pass --conf FILE or set LOLIGO_CONF)");
        }
    }

    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '#' || ch == ';') {
                return line.substring(0, i);
            }
        }
        return line;
    }

    public static String normalize(String key) {
        return key.trim().replaceAll("[ _]+", "_");
    }

    public Path path() {
        return path;
    }

    /** The value of {@code key} for {@code who} (e.g. mon.a): its section, its type's, then global. */
    public String get(String who, String key) {
        String k = normalize(key);
        List<String> order = new ArrayList<>();
        if (who != null) {
            order.add(who);
            if (who.contains(".")) {
                order.add(who.substring(0, who.indexOf('.')));
            }
        }
        order.add("global");
        for (String s : order) {
            Map<String, String> m = sections.get(s);
            if (m != null && m.containsKey(k)) {
                return m.get(k);
            }
        }
        return null;
    }

    public String require(String who, String key) throws ConfException {
        String v = get(who, key);
        if (v == null || v.isEmpty()) {
            throw new ConfException(path + ": missing '" + key + "'" + (who == null ? " in [global]" : " for " + who));
        }
        return v;
    }

    public Map<String, String> section(String name) {
        return sections.getOrDefault(name, Map.of());
    }

    /** Monitor names: mon_initial_members if set, else every [mon.X] section. */
    public List<String> monNames() {
        List<String> out = new ArrayList<>();
        String members = get(null, "mon_initial_members");
        if (members != null && !members.isBlank()) {
            for (String m : members.split("[,\\s]+")) {
                if (!m.isEmpty()) {
                    out.add(m);
                }
            }
            return out;
        }
        for (String s : sections.keySet()) {
            if (s.startsWith("mon.")) {
                out.add(s.substring(4));
            }
        }
        return out;
    }

    /** A bad or missing configuration file or entry. */
    public static final class ConfException extends Exception {
        private static final long serialVersionUID = 1L;

        public ConfException(String message) {
            super(message);
        }
    }
}
