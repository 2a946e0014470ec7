package io.loligo.cli.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.monc.MonReply;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The admin commands' signatures, as Ceph's command descriptors: literal words, then {@code <arg>},
 * optional {@code [<arg>]}, rest-of-line {@code <arg...>}, and optional literal flags {@code [word]}.
 * {@link #parse} turns the words of a command line into the monitor's JSON command.
 */
public final class CommandTable {
    static final List<String> SIGNATURES = List.of(
            "status", "health [detail]", "mon stat", "mon dump", "quorum_status", "df",
            "pg stat", "pg dump",
            "osd tree", "osd dump", "osd stat", "osd df", "osd getcrushmap", "osd setcrushmap",
            "osd map <pool> <object> [<nspace>]",
            "osd create [<uuid>] [<id>]",
            "osd out <ids...>", "osd in <ids...>", "osd down <ids...>", "osd rm <ids...>",
            "osd reweight <id> <weight>", "osd primary-affinity <id> <weight>",
            "osd crush reweight <name> <weight>", "osd crush add-bucket <name> <type>", "osd crush move <name> <args...>",
            "osd set <key>", "osd unset <key>",
            "osd set-nearfull-ratio <ratio>", "osd set-backfillfull-ratio <ratio>", "osd set-full-ratio <ratio>",
            "osd blocklist add <addr> [<expire>]", "osd blocklist rm <addr>",
            "osd pg-temp <pgid> [<id...>]", "osd primary-temp <pgid> <id>",
            "osd pool create <pool> [<pg_num>] [<pgp_num>]", "osd pool ls [detail]",
            "osd pool rm <pool> [<pool2>]", "osd pool delete <pool> [<pool2>]",
            "osd pool rename <srcpool> <destpool>", "osd pool get <pool> <var>", "osd pool set <pool> <var> <val>",
            "osd pool set-quota <pool> <field> <val>", "osd pool application enable <pool> <app>",
            "osd pool mksnap <pool> <snap>", "osd pool rmsnap <pool> <snap>", "osd pool lssnap <pool>",
            "config set <who> <name> <value>", "config get <who> [<key>]", "config dump", "config rm <who> <name>",
            "auth get-or-create <entity> [<caps...>]", "auth add <entity> [<caps...>]", "auth get <entity>",
            "auth export <entity>", "auth ls", "auth rm <entity>", "auth del <entity>", "auth caps <entity> <caps...>");

    private record Sig(List<String> literals, List<String> params, String text) {}

    private static final List<Sig> SIGS = new ArrayList<>();

    static {
        for (String s : SIGNATURES) {
            List<String> lits = new ArrayList<>();
            List<String> params = new ArrayList<>();
            for (String w : s.split(" ")) {
                if (w.startsWith("<") || w.startsWith("[")) {
                    params.add(w);
                } else {
                    lits.add(w);
                }
            }
            SIGS.add(new Sig(lits, params, s));
        }
        SIGS.sort(Comparator.comparingInt((Sig s) -> -s.literals.size()));
    }

    private CommandTable() {}

    /** Bad usage: no signature matches, with the closest signatures to show. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The signatures starting with {@code word}, for help and usage errors. */
    public static List<String> signatures(String word) {
        return SIGNATURES.stream().filter(s -> s.equals(word) || s.startsWith(word + " ")).toList();
    }

    public static ObjectNode parse(List<String> words) throws UsageException {
        for (Sig sig : SIGS) {
            if (words.size() < sig.literals.size() || !words.subList(0, sig.literals.size()).equals(sig.literals)) {
                continue;
            }
            return bind(sig, words.subList(sig.literals.size(), words.size()));
        }
        String first = words.isEmpty() ? "" : words.get(0);
        throw new UsageException("unknown command '" + String.join(" ", words) + "'; known:\n  "
                + String.join("\n  ", signatures(first).isEmpty() ? SIGNATURES : signatures(first)));
    }

    private static ObjectNode bind(Sig sig, List<String> rest) throws UsageException {
        ObjectNode cmd = MonReply.json().createObjectNode();
        cmd.put("prefix", String.join(" ", sig.literals));
        int i = 0;
        for (String p : sig.params) {
            boolean optional = p.startsWith("[");
            String inner = optional ? p.substring(1, p.length() - 1) : p;
            if (!inner.startsWith("<")) {            // optional literal flag: [detail]
                if (i < rest.size() && rest.get(i).equals(inner)) {
                    cmd.put(inner, true);
                    i++;
                }
                continue;
            }
            String name = inner.substring(1, inner.length() - 1);
            if (name.endsWith("...")) {
                ArrayNode a = cmd.putArray(name.substring(0, name.length() - 3));
                rest.subList(i, rest.size()).forEach(a::add);
                if (a.isEmpty() && !optional) {
                    throw new UsageException("missing " + name + " for: " + sig.text);
                }
                i = rest.size();
                continue;
            }
            if (i < rest.size()) {
                cmd.put(name, rest.get(i++));
            } else if (!optional) {
                throw new UsageException("missing <" + name + "> for: " + sig.text);
            }
        }
        if (i < rest.size()) {
            throw new UsageException("unexpected '" + String.join(" ", rest.subList(i, rest.size())) + "' for: " + sig.text);
        }
        return cmd;
    }
}
