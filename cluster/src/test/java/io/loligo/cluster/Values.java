package io.loligo.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How the workload encodes what it writes, so that any read can be traced to the writes it came
 * from. A token is {@code pP-N} (process P's N-th write), unique in a run. A register value is
 * the record {@code token*C.} repeated C times (C chosen for the wanted length), so a read that
 * mixes two writes (torn) shows two different records and a cut one has fewer than C. An append
 * record is the token followed by ';'.
 */
final class Values {
    private Values() {}

    /** A read that mixes writes, or bytes no write of ours produces. */
    static final String TORN = "<torn>";

    /** About {@code length} bytes: N copies of {@code token*N.}, so a cut or a mix of writes shows. */
    static byte[] register(String token, int length) {
        int n = Math.max(1, length / (token.length() + 6));
        String record = token + "*" + n + ".";
        return record.repeat(n).getBytes(StandardCharsets.UTF_8);
    }

    /** The token a register value holds, "" for empty content, or {@link #TORN}. */
    static String decodeRegister(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        if (s.isEmpty()) {
            return "";
        }
        int dot = s.indexOf('.');
        int star = dot < 0 ? -1 : s.lastIndexOf('*', dot);
        if (star < 0 || !s.substring(0, star).matches("p\\d+-\\d+") || !s.substring(star + 1, dot).matches("\\d{1,9}")) {
            return TORN;
        }
        String record = s.substring(0, dot + 1);
        int n = Integer.parseInt(s.substring(star + 1, dot));
        if ((long) n * record.length() != s.length() || !s.equals(record.repeat(n))) {
            return TORN;
        }
        return s.substring(0, star);
    }

    static byte[] appendRecord(String token) {
        return (token + ";").getBytes(StandardCharsets.UTF_8);
    }

    /** The content of an append log as the tokens in it, or null when it is not a sequence of records. */
    static List<String> decodeAppends(String content) {
        List<String> out = new ArrayList<>();
        if (content.isEmpty()) {
            return out;
        }
        if (!content.endsWith(";")) {
            return null;
        }
        for (String t : content.substring(0, content.length() - 1).split(";", -1)) {
            if (!t.matches("p\\d+-\\d+")) {
                return null;
            }
            out.add(t);
        }
        return out;
    }
}
