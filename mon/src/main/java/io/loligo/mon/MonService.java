package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.proto.MonMessages;
import io.loligo.maps.proto.MonMessages.MonCommand;
import io.loligo.maps.proto.MonMessages.MonCommandReply;
import io.loligo.maps.proto.MonMessages.MonSubscribe;
import io.loligo.maps.proto.MonMessages.OsdMapUpdate;
import io.loligo.mon.client.MonClient;
import io.loligo.msg.ErrorReply;
import io.loligo.msg.Handler;
import io.loligo.msg.Message;
import io.loligo.msg.RemoteError;
import io.loligo.msg.Session;
import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.KeyLookup;
import io.loligo.msg.auth.Keyring;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor's client-facing service on the messenger: authenticates peers against the auth
 * database (falling back to the local keyring before the cluster is bootstrapped), checks their
 * {@code mon} caps (reads need r, changes need w; anything auth and config changes need *), runs commands
 * through the quorum and pushes OSD map updates to subscribers.
 */
final class MonService implements Handler, KeyLookup {
    private static final Logger log = LoggerFactory.getLogger(MonService.class);

    private record Subscription(Session session, long sentEpoch) {}

    private final String name;
    private final MonStateMachine sm;
    private final MonClient quorum;
    private final Keyring localKeys;
    private final ExecutorService executor;
    private final Map<Long, Subscription> subscriptions = new ConcurrentHashMap<>();

    MonService(String name, MonStateMachine sm, MonClient quorum, Keyring localKeys, ExecutorService executor) {
        this.name = name;
        this.sm = sm;
        this.quorum = quorum;
        this.localKeys = localKeys;
        this.executor = executor;
        sm.addEpochListener(this::publish);
    }

    @Override
    public Optional<EntityKey> lookup(String entity) {
        MonState.AuthEntity a = sm.read(s -> s.auth().get(entity));
        if (a != null) {
            try {
                return Optional.of(EntityKey.of(a.key(), a.caps()));
            } catch (IllegalArgumentException e) {
                log.warn("{} auth entry for {} is unusable: {}", who(), entity, e.getMessage());
                return Optional.empty();
            }
        }
        boolean bootstrapped = sm.read(MonState::bootstrapped);
        return bootstrapped ? Optional.empty() : localKeys.lookup(entity);
    }

    /** "mon.a e42": who is logging, at which OSD map epoch. */
    private String who() {
        return "mon." + name + " e" + sm.read(MonState::epoch);
    }

    @Override
    public CompletableFuture<? extends Message> onRequest(Session session, Message request) {
        if (request instanceof MonCommand c) {
            return CompletableFuture.supplyAsync(() -> new MonCommandReply(new String(handle(session, c.json()).toBytes(),
                    java.nio.charset.StandardCharsets.UTF_8)), executor);
        }
        if (request instanceof MonSubscribe s) {
            if (!session.caps().check("mon", null, true, false)) {
                return CompletableFuture.failedFuture(new RemoteError(ErrorReply.EACCES,
                        "access denied: " + session.entity() + " lacks mon 'r' capability to subscribe"));
            }
            OsdMapUpdate first = update(s.since());
            subscriptions.put(session.id(), new Subscription(session, first.epoch()));
            // An epoch committed between building the reply and registering is pushed after the reply.
            executor.execute(() -> publish(sm.read(MonState::epoch)));
            return CompletableFuture.completedFuture(first);
        }
        return CompletableFuture.failedFuture(new RemoteError(ErrorReply.EINVAL,
                "mon." + name + " does not serve message type 0x" + Integer.toHexString(request.typeId())));
    }

    @Override
    public void onSessionClosed(Session session) {
        subscriptions.remove(session.id());
    }

    /** Largest command accepted: commands enter the replicated log, and the biggest real ones (pg stats of a busy OSD) are far smaller. */
    static final int COMMAND_BYTES_MAX = 4 << 20;

    private MonReply handle(Session session, String json) {
        if (json.length() > COMMAND_BYTES_MAX) {
            log.warn("{} refused a {}-character command from {} at {}", who(), json.length(), session.entity(), session.peer());
            return MonReply.error(Errno.EINVAL, "command of " + json.length() + " characters exceeds " + COMMAND_BYTES_MAX, 0);
        }
        Cmd cmd = MonStateMachine.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (cmd == null) {
            return MonReply.error(Errno.EINVAL, "command is not a JSON object", 0);
        }
        String prefix = cmd.prefix();
        boolean read = MonQueries.isQuery(prefix);
        // Reading the auth database reveals secrets: it needs 'allow *', as changing auth or config does.
        boolean admin = prefix.startsWith("auth") || !read && prefix.startsWith("config");
        boolean allowed = admin ? session.caps().check("mon", null, null, true, true, true)
                : session.caps().check("mon", null, true, !read);
        if (!allowed) {
            log.warn("{} refused '{}' from {} at {}: caps {}", who(), prefix, session.entity(), session.peer(),
                    session.caps());
            return MonReply.error(Errno.EACCES, "access denied: " + session.entity() + " lacks mon '"
                    + (admin ? "allow *" : read ? "r" : "w") + "' capability for '" + prefix + "'", 0);
        }
        String impersonated = impersonation(session.entity(), cmd);
        if (impersonated != null) {
            log.warn("{} refused '{}' from {} at {}: {}", who(), prefix, session.entity(), session.peer(), impersonated);
            return MonReply.error(Errno.EACCES, impersonated, 0);
        }
        long have = cmd.json().path("have_epoch").asLong(-1);
        if (have >= 0 && have < sm.read(MonState::epoch)) {
            // Whoever talks with an older map is told the newer one, and subscribed here from then on:
            // only subscribers send have_epoch, and theirs may live on a monitor that stopped pushing.
            tell(session, have);
        }
        try {
            ObjectNode body = cmd.json().deepCopy();
            body.remove("have_epoch");
            body.remove("stamp");   // the leader stamps mutations with its own clock
            if (prefix.startsWith("auth")) {
                body.remove("key");     // and generates new secrets itself
            }
            return quorum.command(body);
        } catch (IOException e) {
            return MonReply.error(Errno.EAGAIN, "mon." + name + " could not reach the quorum: " + e.getMessage(), 0);
        }
    }

    /**
     * An OSD may boot, report failures and report stats only as itself: returns why {@code entity}
     * may not send {@code cmd}, or null when it may.
     */
    static String impersonation(String entity, Cmd cmd) {
        if (!entity.startsWith("osd.")) {
            return null;
        }
        String field = switch (cmd.prefix()) {
            case "osd boot" -> "id";
            case "osd failure" -> "reporter";
            case "osd pgstats", "osd beacon", "osd alive", "osd mark-me-down" -> "osd";
            default -> null;
        };
        if (field == null) {
            return null;
        }
        String claimed = cmd.str(field, "");
        return entity.equals("osd." + claimed) ? null
                : entity + " may not send '" + cmd.prefix() + "' as " + field + " " + claimed;
    }

    private OsdMapUpdate update(long since) {
        return sm.read(s -> {
            if (!s.bootstrapped()) {
                return new OsdMapUpdate(0, new byte[0], List.of());
            }
            List<byte[]> incs = s.incrementalsSince(since);
            if (incs == null) {
                return new OsdMapUpdate(s.epoch(), s.osdmap().encode(), List.of());
            }
            return new OsdMapUpdate(s.epoch(), new byte[0], incs);
        });
    }

    /** Pushes {@code session} everything after {@code have}; every reply's epoch tells unsubscribed peers. */
    private synchronized void tell(Session session, long have) {
        OsdMapUpdate u = update(have);
        if (session.push(u)) {
            subscriptions.put(session.id(), new Subscription(session, u.epoch()));
        }
    }

    /** After each new epoch: push every subscriber what it has not seen yet. */
    private synchronized void publish(long epoch) {
        for (Subscription sub : subscriptions.values()) {
            if (sub.sentEpoch() >= epoch) {
                continue;
            }
            OsdMapUpdate u = update(sub.sentEpoch());
            if (sub.session().push(u)) {
                subscriptions.put(sub.session().id(), new Subscription(sub.session(), u.epoch()));
            } else {
                subscriptions.remove(sub.session().id());
            }
        }
    }
}
