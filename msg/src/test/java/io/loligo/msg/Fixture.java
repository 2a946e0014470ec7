package io.loligo.msg;

import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.Keyring;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/** A server on 127.0.0.1, port 0, with a keyring holding client.admin and client.rbd. */
final class Fixture implements AutoCloseable {
    static final String ADMIN = "client.admin";
    static final String RBD = "client.rbd";

    final Keyring keyring = new Keyring();
    final TestMessages.TestHandler handler = new TestMessages.TestHandler();
    final MessengerServer server;

    Fixture() throws Exception {
        this(ServerOptions.defaults("mon.a"));
    }

    Fixture(ServerOptions options) throws Exception {
        keyring.put(ADMIN, EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *", "osd", "allow *")));
        keyring.put(RBD, EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow r", "osd", "allow rw pool=rbd")));
        server = MessengerServer.start(new InetSocketAddress("127.0.0.1", 0), keyring, handler,
                TestMessages.registry(), options);
    }

    byte[] key(String entity) {
        return keyring.lookup(entity).orElseThrow().key();
    }

    InetSocketAddress address() {
        return server.address();
    }

    Connection connect(String entity) {
        return Connection.connect(address(), entity, key(entity), TestMessages.registry());
    }

    Connection connect(String entity, ConnectionOptions options) {
        return Connection.connect(address(), entity, key(entity), TestMessages.registry(), options);
    }

    /** Proves the server still serves: a fresh, well-behaved client gets an echo back. */
    void assertStillServing() {
        try (Connection c = connect(ADMIN)) {
            byte[] payload = {4, 2};
            TestMessages.EchoReply reply = c.call(new TestMessages.Echo(77, payload), TestMessages.EchoReply.class,
                    Duration.ofSeconds(30)).join();
            if (reply.seq() != 77) {
                throw new AssertionError("echo seq " + reply.seq());
            }
        }
    }

    static String base64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }

    @Override
    public void close() {
        server.close();
    }
}
