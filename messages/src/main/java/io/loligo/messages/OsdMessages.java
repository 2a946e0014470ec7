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
 *   0x0420 MOSDPing          OSD → OSD heartbeat (request)
 *   0x0421 MOSDPingReply     (reply)
 *   0x0430 MOSDPgQuery       primary → member during peering (request)
 *   0x0431 MOSDPgInfo        member's info and log (reply)
 *   0x0432 MOSDPgPull        primary → member: send objects / scan (request; reply MOSDPgPush)
 *   0x0433 MOSDPgPush        object states (request, or reply to a pull)
 *   0x0434 MOSDPgPushReply   member → primary (reply to a push)
 *   0x0440 MOSDScrub         operator → primary: scrub, deep-scrub, repair, list inconsistent (request)
 *   0x0441 MOSDScrubReply    primary → operator (reply)
 *   0x0442 MOSDRepScrub      primary → member: a chunk's scrub map, or objects for repair (request)
 *   0x0443 MOSDScrubMap      member → primary: the chunk's scrub map (reply)
 * </pre>
 */
public final class OsdMessages {
    public static final int OSD_OP = 0x0400;
    public static final int OSD_OP_REPLY = 0x0401;
    public static final int OSD_PGLS = 0x0402;
    public static final int OSD_PGLS_REPLY = 0x0403;
    public static final int OSD_REPOP = 0x0410;
    public static final int OSD_REPOP_REPLY = 0x0411;
    public static final int OSD_PING = 0x0420;
    public static final int OSD_PING_REPLY = 0x0421;
    public static final int OSD_PG_QUERY = 0x0430;
    public static final int OSD_PG_INFO = 0x0431;
    public static final int OSD_PG_PULL = 0x0432;
    public static final int OSD_PG_PUSH = 0x0433;
    public static final int OSD_PG_PUSH_REPLY = 0x0434;
    public static final int OSD_SCRUB = 0x0440;
    public static final int OSD_SCRUB_REPLY = 0x0441;
    public static final int OSD_REP_SCRUB = 0x0442;
    public static final int OSD_SCRUB_MAP = 0x0443;

    private OsdMessages() {}

    /** Registers the client ↔ OSD messages (what a client library needs). */
    public static MessageRegistry registerClientMessages(MessageRegistry registry) {
        return registry.register(MOSDOp.TYPE, MOSDOp.VERSION, MOSDOp::decode)
                .register(MOSDOpReply.TYPE, MOSDOpReply.VERSION, MOSDOpReply::decode)
                .register(MOSDPgLs.TYPE, MOSDPgLs.VERSION, MOSDPgLs::decode)
                .register(MOSDPgLsReply.TYPE, MOSDPgLsReply.VERSION, MOSDPgLsReply::decode)
                .register(MOSDScrub.TYPE, MOSDScrub.VERSION, MOSDScrub::decode)
                .register(MOSDScrubReply.TYPE, MOSDScrubReply.VERSION, MOSDScrubReply::decode);
    }

    /** Registers every OSD message (client and OSD ↔ OSD): what an OSD's messenger needs. */
    public static MessageRegistry registerAll(MessageRegistry registry) {
        return registerAll(registry, d -> new MOSDRepOp.RawTxn(d.getRaw(d.remaining())));
    }

    /** Like {@link #registerAll(MessageRegistry)}, with {@code txnReader} decoding MOSDRepOp's transaction in place. */
    public static MessageRegistry registerAll(MessageRegistry registry,
                                              java.util.function.Function<io.loligo.msg.Decoder, ? extends MOSDRepOp.Txn> txnReader) {
        registerClientMessages(registry);
        return registry.register(MOSDRepOp.TYPE, MOSDRepOp.VERSION, (in, v) -> MOSDRepOp.decode(in, v, txnReader))
                .register(MOSDRepOpReply.TYPE, MOSDRepOpReply.VERSION, MOSDRepOpReply::decode)
                .register(MOSDPing.TYPE, MOSDPing.VERSION, MOSDPing::decode)
                .register(MOSDPingReply.TYPE, MOSDPingReply.VERSION, MOSDPingReply::decode)
                .register(MOSDPgQuery.TYPE, MOSDPgQuery.VERSION, MOSDPgQuery::decode)
                .register(MOSDPgInfo.TYPE, MOSDPgInfo.VERSION, MOSDPgInfo::decode)
                .register(MOSDPgPull.TYPE, MOSDPgPull.VERSION, MOSDPgPull::decode)
                .register(MOSDPgPush.TYPE, MOSDPgPush.VERSION, MOSDPgPush::decode)
                .register(MOSDPgPushReply.TYPE, MOSDPgPushReply.VERSION, MOSDPgPushReply::decode)
                .register(MOSDRepScrub.TYPE, MOSDRepScrub.VERSION, MOSDRepScrub::decode)
                .register(MOSDScrubMap.TYPE, MOSDScrubMap.VERSION, MOSDScrubMap::decode);
    }

    /** A fresh registry with the client ↔ OSD messages. */
    public static MessageRegistry clientRegistry() {
        return registerClientMessages(MessageRegistry.create());
    }

    /** A fresh registry with every OSD message. */
    public static MessageRegistry osdRegistry() {
        return registerAll(MessageRegistry.create());
    }

    /** A fresh registry with every OSD message, MOSDRepOp's transaction decoded by {@code txnReader}. */
    public static MessageRegistry osdRegistry(java.util.function.Function<io.loligo.msg.Decoder, ? extends MOSDRepOp.Txn> txnReader) {
        return registerAll(MessageRegistry.create(), txnReader);
    }
}
