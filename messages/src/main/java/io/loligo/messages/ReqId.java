package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;

/**
 * Identifies one client request across resends (Ceph's osd_reqid_t): the client entity name
 * ("client.admin"), the client's incarnation (a random number chosen when the client instance
 * starts, so a restarted client never collides with its former self) and a transaction id the
 * client increases for every new request. A resend after a reconnect or map change keeps the same
 * reqid; the OSD finds it in the PG log and answers with the original result.
 *
 * <p>Wire: string entity, long incarnation, long tid.
 */
public record ReqId(String entity, long incarnation, long tid) {
    public ReqId {
        if (entity == null || entity.isEmpty()) {
            throw new IllegalArgumentException("reqid needs a client entity name");
        }
    }

    public void encode(Encoder out) {
        out.putString(entity).putLong(incarnation).putLong(tid);
    }

    public static ReqId decode(Decoder in) {
        return new ReqId(in.getString(), in.getLong(), in.getLong());
    }

    @Override
    public String toString() {
        return entity + "." + Long.toHexString(incarnation) + ":" + tid;
    }
}
