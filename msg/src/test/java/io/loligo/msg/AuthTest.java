package io.loligo.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.Keyring;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cephx-like handshake: a client without the right key, or an entity the server does not
 * know, is refused with a clear code and reason; a server that does not know the key cannot pass
 * itself off; a recorded handshake replayed on a new connection is refused; and the key never
 * appears on the wire.
 */
@org.junit.jupiter.api.extension.ExtendWith(LeakRecordingDetector.Check.class)
class AuthTest {
    private Fixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new Fixture();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private void assertRefused(String entity, byte[] key, int code, String reason) {
        assertThatThrownBy(() -> Connection.connect(fixture.address(), entity, key, TestMessages.registry()))
                .isInstanceOfSatisfying(AuthFailed.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(reason);
                });
        Await.until("refusal counted", Duration.ofSeconds(30), () -> fixture.server.drops(DropReason.AUTH_REFUSED) == 1);
        assertThat(fixture.server.sessions()).isEmpty();
        fixture.assertStillServing();
    }

    @Test
    void aClientWithoutAKeyIsRefused() {
        assertRefused(Fixture.ADMIN, new byte[0], ErrorReply.EACCES, "authentication failed for client.admin: wrong key");
    }

    @Test
    void aClientWithTheWrongKeyIsRefused() {
        byte[] wrong = java.util.Base64.getDecoder().decode(Keyring.generateKey());
        assertRefused(Fixture.ADMIN, wrong, ErrorReply.EACCES, "wrong key");
    }

    @Test
    void anUnknownEntityIsRefused() {
        assertRefused("client.nobody", fixture.key(Fixture.ADMIN), ErrorReply.ENOENT, "unknown entity client.nobody");
    }

    @Test
    void aServerHoldingAnotherKeyForTheEntityIsNotTrusted() throws Exception {
        Keyring other = new Keyring().put(Fixture.ADMIN, EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *")));
        try (MessengerServer impostor = MessengerServer.start(new InetSocketAddress("127.0.0.1", 0), other,
                fixture.handler, TestMessages.registry(), ServerOptions.defaults("mon.b"))) {
            assertThatThrownBy(() -> Connection.connect(impostor.address(), Fixture.ADMIN, fixture.key(Fixture.ADMIN),
                    TestMessages.registry())).isInstanceOf(AuthFailed.class);
        }
    }

    @Test
    void aServerThatCannotProveTheKeyIsRefusedByTheClientAndNeverSeesTheKey() throws Exception {
        byte[] key = fixture.key(Fixture.ADMIN);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // A fake server: plays the protocol, accepts any proof, answers with a made-up one.
            CompletableFuture<byte[]> seen = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = listener.accept(); RawPeer client = new RawPeer(socket);
                     java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream()) {
                    RawPeer.RawFrame hello = client.read();
                    received.write(hello.payload());
                    client.send(Frames.KIND_HANDSHAKE, 0, new Handshake.Challenge("mon.fake", Handshake.nonce()));
                    RawPeer.RawFrame auth = client.read();
                    received.write(auth.payload());
                    client.send(Frames.KIND_HANDSHAKE, 0, new Handshake.AuthOk(new byte[32]));
                    client.awaitClosed(Duration.ofSeconds(30));
                    return received.toByteArray();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            assertThatThrownBy(() -> Connection.connect(address, Fixture.ADMIN, key, TestMessages.registry()))
                    .isInstanceOf(AuthFailed.class)
                    .hasMessageContaining("server mon.fake could not prove it knows the key of client.admin");
            byte[] wire = seen.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(indexOf(wire, key)).as("the key is never sent").isEqualTo(-1);
            assertThat(indexOf(wire, Fixture.base64(key).getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                    .as("nor its base64").isEqualTo(-1);
        }
    }

    @Test
    void aClientExpectingAnotherKindOfDaemonRefusesTheServer() {
        assertThatThrownBy(() -> Connection.connect(fixture.address(), Fixture.ADMIN, fixture.key(Fixture.ADMIN),
                TestMessages.registry(), ConnectionOptions.defaults().withServerType("osd")))
                .isInstanceOfSatisfying(AuthFailed.class, e -> assertThat(e.getMessage())
                        .contains("server identifies as mon.a, expected a osd"));
        try (Connection mon = Connection.connect(fixture.address(), Fixture.ADMIN, fixture.key(Fixture.ADMIN),
                TestMessages.registry(), ConnectionOptions.defaults().withServerType("mon"))) {
            assertThat(mon.isConnected()).isTrue();
        }
    }

    @Test
    void aReplayedHandshakeIsRefused() throws IOException {
        byte[] hello;
        byte[] auth;
        try (RawPeer original = new RawPeer(fixture.address())) {
            assertThat(original.handshake(Fixture.ADMIN, fixture.key(Fixture.ADMIN))).isInstanceOf(Handshake.AuthOk.class);
            byte[] all = original.sent.toByteArray();
            int helloLength = 4 + ((all[0] & 0xff) << 24 | (all[1] & 0xff) << 16 | (all[2] & 0xff) << 8 | (all[3] & 0xff));
            hello = java.util.Arrays.copyOf(all, helloLength);
            auth = java.util.Arrays.copyOfRange(all, helloLength, all.length);
        }
        try (RawPeer replay = new RawPeer(fixture.address())) {
            replay.sendRaw(hello);
            assertThat(replay.read().handshake()).as("a fresh challenge").isInstanceOf(Handshake.Challenge.class);
            replay.sendRaw(auth);
            assertThat(replay.read().handshake()).isInstanceOfSatisfying(Handshake.Refused.class, r -> {
                assertThat(r.code()).isEqualTo(ErrorReply.EACCES);
                assertThat(r.reason()).contains("wrong key");
            });
            assertThat(replay.awaitClosed(Duration.ofSeconds(30))).isTrue();
        }
        assertThat(fixture.server.drops(DropReason.AUTH_REFUSED)).isEqualTo(1);
        fixture.assertStillServing();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
