package io.loligo.mon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A monitor command as Ceph's: a JSON object with a {@code prefix} ("osd pool create") and named
 * arguments. Mutations carry {@code stamp}, the leader's wall clock in milliseconds when it logged them,
 * so applying them never reads a clock. Accessors turn missing or mistyped arguments into
 * {@link CommandException}s naming the argument.
 */
public record Cmd(ObjectNode json) {
    public String prefix() {
        return json.path("prefix").asText("");
    }

    public boolean has(String name) {
        JsonNode n = json.get(name);
        return n != null && !n.isNull();
    }

    public String str(String name) throws CommandException {
        JsonNode n = json.get(name);
        if (n == null || n.isNull() || n.isContainerNode()) {
            throw new CommandException(Errno.EINVAL, "missing argument '" + name + "' for '" + prefix() + "'");
        }
        return n.asText();
    }

    public String str(String name, String dflt) {
        JsonNode n = json.get(name);
        return n == null || n.isNull() ? dflt : n.asText();
    }

    public long lng(String name) throws CommandException {
        String s = str(name);
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new CommandException(Errno.EINVAL, "argument '" + name + "' is '" + s + "', expected an integer");
        }
    }

    public long lng(String name, long dflt) throws CommandException {
        return has(name) ? lng(name) : dflt;
    }

    public int integer(String name) throws CommandException {
        long v = lng(name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new CommandException(Errno.ERANGE, "argument '" + name + "' = " + v + " out of range");
        }
        return (int) v;
    }

    public int integer(String name, int dflt) throws CommandException {
        return has(name) ? integer(name) : dflt;
    }

    public double dbl(String name) throws CommandException {
        String s = str(name);
        try {
            double d = Double.parseDouble(s.trim());
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new CommandException(Errno.EINVAL, "argument '" + name + "' is '" + s + "', expected a number");
        }
    }

    public boolean bool(String name) {
        JsonNode n = json.get(name);
        return n != null && (n.asBoolean(false) || "true".equals(n.asText()));
    }

    /** A list argument: a JSON array, or a single value taken as a one-element list; empty when absent. */
    public List<String> list(String name) {
        JsonNode n = json.get(name);
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.isArray()) {
            n.forEach(x -> out.add(x.asText()));
        } else {
            out.add(n.asText());
        }
        return out;
    }

    /** The stamp of a mutation (ms); every mutation has one because the leader adds it (MonStateMachine.startTransaction). */
    public long stamp() throws CommandException {
        if (!has("stamp")) {
            throw new CommandException(Errno.EINVAL, "command '" + prefix() + "' has no stamp");
        }
        return lng("stamp");
    }
}
