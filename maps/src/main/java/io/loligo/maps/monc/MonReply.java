package io.loligo.maps.monc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/*
 * Wire form of a reply: UTF-8 JSON {"r": code, "outs": status text, "data": JSON, "epoch": osdmap epoch}.
 */
/**
 * A monitor's answer to a command, as Ceph's MMonCommandAck: {@code code} is 0 or a negative errno,
 * {@code outs} the status line (what {@code ceph} prints to stderr), {@code data} the result in
 * Ceph's JSON field names, {@code epoch} the OSD map epoch after the command.
 */
public record MonReply(int code, String outs, JsonNode data, long epoch) {
    public static final ObjectMapper JSON = new ObjectMapper();

    /** The shared JSON mapper for commands and replies. */
    public static ObjectMapper json() {
        return JSON;
    }

    public static MonReply ok(String outs, JsonNode data, long epoch) {
        return new MonReply(0, outs, data == null ? NullNode.getInstance() : data, epoch);
    }

    public static MonReply error(int code, String outs, long epoch) {
        return new MonReply(code, outs, NullNode.getInstance(), epoch);
    }

    public boolean ok() {
        return code == 0;
    }

    public byte[] toBytes() {
        ObjectNode n = JSON.createObjectNode();
        n.put("r", code);
        n.put("outs", outs);
        n.set("data", data);
        n.put("epoch", epoch);
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("invariant violated: reply does not serialise", e);
        }
    }

    public static MonReply fromBytes(byte[] bytes) throws IOException {
        JsonNode n = JSON.readTree(bytes);
        if (n == null || !n.isObject() || !n.has("r")) {
            throw new IOException("monitor reply is not a reply object");
        }
        return new MonReply(n.path("r").asInt(), n.path("outs").asText(""), n.path("data"), n.path("epoch").asLong());
    }
}
