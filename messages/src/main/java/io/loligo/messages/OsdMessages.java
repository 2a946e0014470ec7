package io.loligo.messages;

import io.loligo.msg.MessageRegistry;

/**
 * The stable type ids of the OSD protocol and the registration of their decoders. Ids are in
 * 0x0400..0x04FF (the monitors' protocol uses other ids); never renumber, only append.
 *
 * <pre>
 *   0x0400 MOSDOp            client → primary (request)
 *   0x0401 MOSDOpReply       primary → client (reply)
 *   0x0402 MOSDPgLs          client → primary (request)
 *   0x0403 MOSDPgLsReply     primary → client (reply)
 *   0x0410 MOSDRepOp         primary → replica (request)
 *   0x0411 MOSDRepOpReply    replica → primary (reply)
 *   0x0420.. heartbeats, peering and recovery (added with those slices)
 * </pre>
 */
public final class OsdMessages {
    public static final int OSD_OP = 0x0400;
    public static final int OSD_OP_REPLY = 0x0401;
    public static final int OSD_PGLS = 0x0402;
    public static final int OSD_PGLS_REPLY = 0x0403;
    public static final int OSD_REPOP = 0x0410;
    public static final int OSD_REPOP_REPLY = 0x0411;

    private OsdMessages() {}

    /** Registers the client ↔ OSD messages (what a client library needs). */
    public static MessageRegistry registerClientMessages(MessageRegistry registry) {
        return registry.register(MOSDOp.TYPE, MOSDOp.VERSION, MOSDOp::decode)
                .register(MOSDOpReply.TYPE, MOSDOpReply.VERSION, MOSDOpReply::decode)
                .register(MOSDPgLs.TYPE, MOSDPgLs.VERSION, MOSDPgLs::decode)
                .register(MOSDPgLsReply.TYPE, MOSDPgLsReply.VERSION, MOSDPgLsReply::decode);
    }

    /** Registers every OSD message (client and OSD ↔ OSD): what an OSD's messenger needs. */
    public static MessageRegistry registerAll(MessageRegistry registry) {
        registerClientMessages(registry);
        return registry.register(MOSDRepOp.TYPE, MOSDRepOp.VERSION, MOSDRepOp::decode)
                .register(MOSDRepOpReply.TYPE, MOSDRepOpReply.VERSION, MOSDRepOpReply::decode);
    }

    /** A fresh registry with the client ↔ OSD messages. */
    public static MessageRegistry clientRegistry() {
        return registerClientMessages(MessageRegistry.create());
    }

    /** A fresh registry with every OSD message. */
    public static MessageRegistry osdRegistry() {
        return registerAll(MessageRegistry.create());
    }
}
