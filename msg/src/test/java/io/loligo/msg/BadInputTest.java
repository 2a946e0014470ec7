package io.loligo.msg;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input costs only the offending connection: for each kind of garbage a raw peer sends, the
 * server closes that connection, counts the reason (the log line goes with it), and a
 * well-behaved client connected to the same server before and after keeps working.
 */
@org.junit.jupiter.api.extension.ExtendWith(LeakRecordingDetector.Check.class)
class BadInputTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int MAX_FRAME_BYTES = 1 << 20;

    private Fixture fixture;
    private Connection bystander;

    @BeforeEach
    void start() throws Exception {
        fixture = new Fixture(ServerOptions.defaults("mon.a").withMaxFrameBytes(MAX_FRAME_BYTES));
        bystander = fixture.connect(Fixture.ADMIN);
    }

    @AfterEach
    void stop() {
        bystander.close();
        fixture.close();
    }

    private void assertDroppedAndOthersServed(RawPeer peer, DropReason reason) throws IOException {
        assertThat(peer.awaitClosed(DEADLINE)).as("server closed the bad connection").isTrue();
        Await.until("drop counted as " + reason, DEADLINE, () -> fixture.server.drops(reason) == 1);
        assertThat(bystander.call(new TestMessages.Echo(5, new byte[] {5}), TestMessages.CALL_TIMEOUT).join())
                .as("a client connected before keeps working").isInstanceOf(TestMessages.EchoReply.class);
        fixture.assertStillServing();
    }

    private RawPeer authenticated() throws IOException {
        RawPeer peer = new RawPeer(fixture.address());
        assertThat(peer.handshake(Fixture.ADMIN, fixture.key(Fixture.ADMIN))).isInstanceOf(Handshake.AuthOk.class);
        return peer;
    }

    @Test
    void anHttpRequestIsGarbage() throws IOException {
        try (RawPeer peer = new RawPeer(fixture.address())) {
            peer.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // "GET " read as a length is 1195725856: far beyond the 4 KiB allowed before authentication.
            assertDroppedAndOthersServed(peer, DropReason.FRAME_TOO_LARGE);
        }
    }

    @Test
    void randomBytesAfterTheHandshake() throws IOException {
        try (RawPeer peer = authenticated()) {
            byte[] garbage = new byte[200];
            new SplittableRandom(99).nextBytes(garbage);
            garbage[0] = 0;
            garbage[1] = 0;
            garbage[2] = 0;
            garbage[3] = 100;   // a plausible length, so the CRC is what catches it
            peer.sendRaw(garbage);
            assertDroppedAndOthersServed(peer, DropReason.BAD_CRC);
        }
    }

    @Test
    void aFlippedBitFailsTheCrc() throws IOException {
        try (RawPeer peer = authenticated()) {
            byte[] frame = RawPeer.frameBytes(Frames.KIND_REQUEST, 1, new TestMessages.Echo(1, new byte[64]));
            frame[30] ^= 0x10;
            peer.sendRaw(frame);
            assertDroppedAndOthersServed(peer, DropReason.BAD_CRC);
        }
    }

    @Test
    void aLengthBelowTheHeaderIsMalformed() throws IOException {
        try (RawPeer peer = authenticated()) {
            peer.sendRaw(new byte[] {0, 0, 0, 3, 1, 2, 3});
            assertDroppedAndOthersServed(peer, DropReason.MALFORMED_FRAME);
        }
    }

    @Test
    void aPayloadThatDoesNotDecodeIsMalformed() throws IOException {
        try (RawPeer peer = authenticated()) {
            // An Echo whose byte string claims more bytes than the frame holds, with a valid CRC.
            ByteBuf frame = Unpooled.buffer();
            try {
                frame.writeInt(0).writeShort(TestMessages.Echo.TYPE).writeByte(Frames.KIND_REQUEST).writeByte(0).writeLong(1);
                frame.writeByte(1).writeByte(1).writeInt(12).writeLong(7).writeInt(1000);
                frame.setInt(0, frame.readableBytes() - 4 + 4);
                frame.writeInt(Frames.crc(frame, 4, frame.readableBytes() - 4));
                byte[] bytes = new byte[frame.readableBytes()];
                frame.readBytes(bytes);
                peer.sendRaw(bytes);
            } finally {
                frame.release();
            }
            assertDroppedAndOthersServed(peer, DropReason.MALFORMED_FRAME);
        }
    }

    @Test
    void anUnknownMessageType() throws IOException {
        try (RawPeer peer = authenticated()) {
            Message unknown = new Message() {
                public int typeId() {
                    return 0x7777;
                }

                public void encodeFields(Encoder out) {
                    out.putInt(1);
                }
            };
            peer.send(Frames.KIND_REQUEST, 1, unknown);
            assertDroppedAndOthersServed(peer, DropReason.UNKNOWN_TYPE);
        }
    }

    @Test
    void anOversizedLengthIsRefusedBeforeItsBodyArrives() throws IOException {
        try (RawPeer peer = authenticated()) {
            int length = MAX_FRAME_BYTES + 1;
            peer.sendRaw(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
            assertDroppedAndOthersServed(peer, DropReason.FRAME_TOO_LARGE);
        }
    }

    @Test
    void aValidFrameTrickledByteByByteIsStillServed() throws IOException {
        byte[] payload = new byte[3000];
        new SplittableRandom(3).nextBytes(payload);
        try (RawPeer peer = authenticated()) {
            byte[] frame = RawPeer.frameBytes(Frames.KIND_REQUEST, 42, new TestMessages.Echo(42, payload));
            for (byte b : frame) {
                peer.sendRaw(new byte[] {b});   // one segment per byte (TCP_NODELAY): many reads on the server
            }
            RawPeer.RawFrame reply = peer.read();
            assertThat(reply.kind()).isEqualTo(Frames.KIND_REPLY);
            assertThat(reply.correlationId()).isEqualTo(42);
            Message decoded = TestMessages.registry().decode(reply.type(), Unpooled.wrappedBuffer(reply.payload()));
            assertThat(((TestMessages.EchoReply) decoded).payload()).isEqualTo(payload);
        }
        for (DropReason reason : DropReason.values()) {
            assertThat(fixture.server.drops(reason)).as("drops for %s", reason).isZero();
        }
    }

    @Test
    void aRequestBeforeTheHandshake() throws IOException {
        try (RawPeer peer = new RawPeer(fixture.address())) {
            peer.send(Frames.KIND_REQUEST, 1, new TestMessages.Echo(1, new byte[0]));
            assertDroppedAndOthersServed(peer, DropReason.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void slowlorisThatNeverFinishesTheHandshakeIsTimedOut() throws Exception {
        // Its own server with a short handshake timeout (2 s: long enough for honest clients on a loaded host).
        try (Fixture strict = new Fixture(ServerOptions.defaults("mon.c").withHandshakeTimeout(Duration.ofSeconds(2)));
             Connection before = strict.connect(Fixture.RBD);
             RawPeer silent = new RawPeer(strict.address())) {
            byte[] hello = RawPeer.frameBytes(Frames.KIND_HANDSHAKE, 0,
                    new Handshake.Hello(Handshake.PROTOCOL_VERSION, Fixture.ADMIN, Handshake.nonce()));
            silent.sendRaw(java.util.Arrays.copyOf(hello, hello.length / 2));   // half a HELLO, then nothing
            assertThat(silent.awaitClosed(DEADLINE)).as("server closed the silent connection").isTrue();
            assertThat(strict.server.drops(DropReason.HANDSHAKE_TIMEOUT)).isEqualTo(1);
            assertThat(before.call(new TestMessages.Echo(1, new byte[0]), TestMessages.CALL_TIMEOUT).join())
                    .isInstanceOf(TestMessages.EchoReply.class);
            strict.assertStillServing();
        }
    }

    @Test
    void aSessionThatDoesNotReadItsPushesIsDroppedAsASlowConsumer() throws Exception {
        try (Fixture small = new Fixture(ServerOptions.defaults("mon.b").withMaxPushBacklogBytes(1 << 20));
             Connection bystanderHere = small.connect(Fixture.RBD);
             RawPeer deaf = new RawPeer(small.address())) {
            assertThat(deaf.handshake(Fixture.ADMIN, small.key(Fixture.ADMIN))).isInstanceOf(Handshake.AuthOk.class);
            // 400 pushes of 256 KiB = 100 MiB: far beyond the socket buffers, and the peer reads none.
            deaf.send(Frames.KIND_REQUEST, 1, new TestMessages.Flood(400, 256 << 10));
            Await.until("slow consumer dropped", DEADLINE, () -> small.server.drops(DropReason.SLOW_CONSUMER) == 1);
            Await.until("session gone", DEADLINE, () -> small.server.sessions().size() == 1);
            assertThat(bystanderHere.call(new TestMessages.Echo(1, new byte[0]), TestMessages.CALL_TIMEOUT).join())
                    .isInstanceOf(TestMessages.EchoReply.class);
        }
    }

    @Test
    void aMalformedEntityNameIsRefusedWithEinval() throws IOException {
        try (RawPeer peer = new RawPeer(fixture.address())) {
            Message answer = peer.handshake("admin", fixture.key(Fixture.ADMIN));
            assertThat(answer).isInstanceOfSatisfying(Handshake.Refused.class, r -> {
                assertThat(r.code()).isEqualTo(ErrorReply.EINVAL);
                assertThat(r.reason()).contains("entity name 'admin' is not valid");
            });
            assertDroppedAndOthersServed(peer, DropReason.AUTH_REFUSED);
        }
    }

    @Test
    void aWellBehavedClientLosesNothingWhileManyPeersSendGarbage() throws Exception {
        int calls = 2000;
        int attackers = 20;
        List<CompletableFuture<Message>> replies = new CopyOnWriteArrayList<>();
        Thread good = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < calls; i++) {
                replies.add(bystander.call(new TestMessages.Echo(i, new byte[] {(byte) i}), TestMessages.CALL_TIMEOUT));
            }
        });
        SplittableRandom random = new SplittableRandom(2026);
        for (int a = 0; a < attackers; a++) {
            try (RawPeer peer = a % 2 == 0 ? authenticated() : new RawPeer(fixture.address())) {
                byte[] garbage = new byte[1 + random.nextInt(5000)];
                random.nextBytes(garbage);
                peer.sendRaw(garbage);
                assertThat(peer.awaitClosed(DEADLINE)).as("attacker %d dropped", a).isTrue();
            }
        }
        good.join();
        for (int i = 0; i < calls; i++) {
            TestMessages.EchoReply reply = (TestMessages.EchoReply) replies.get(i).join();
            assertThat(reply.seq()).isEqualTo(i);
            assertThat(reply.payload()).containsExactly((byte) i);
        }
        long dropped = 0;
        for (DropReason reason : DropReason.values()) {
            dropped += fixture.server.drops(reason);
        }
        assertThat(dropped).isEqualTo(attackers);
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedWithEbusy() throws Exception {
        try (Fixture small = new Fixture(ServerOptions.defaults("osd.0").withMaxConnections(2));
             Connection first = small.connect(Fixture.ADMIN);
             Connection second = small.connect(Fixture.RBD);
             RawPeer third = new RawPeer(small.address())) {
            RawPeer.RawFrame refusal = third.read();
            assertThat(refusal.handshake()).isInstanceOfSatisfying(Handshake.Refused.class, r -> {
                assertThat(r.code()).isEqualTo(ErrorReply.EBUSY);
                assertThat(r.reason()).contains("max_connections 2");
            });
            assertThat(third.awaitClosed(DEADLINE)).isTrue();
            assertThat(small.server.drops(DropReason.TOO_MANY_CONNECTIONS)).isEqualTo(1);
            assertThat(second.isConnected()).as("the connections within the limit stay up").isTrue();
            assertThat(first.call(new TestMessages.Echo(1, new byte[0]), TestMessages.CALL_TIMEOUT).join()).isNotNull();
        }
    }

    @Test
    void noMoreThanMaxInFlightRequestsReachTheHandlerAtOnce() throws Exception {
        int max = 4;
        int calls = 40;
        List<CompletableFuture<Message>> held = new CopyOnWriteArrayList<>();
        AtomicInteger outstanding = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        Handler holding = (session, request) -> {
            peak.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            CompletableFuture<Message> reply = new CompletableFuture<>();
            held.add(reply);
            return reply;
        };
        try (MessengerServer server = MessengerServer.start(new InetSocketAddress("127.0.0.1", 0), fixture.keyring,
                holding, TestMessages.registry(), ServerOptions.defaults("osd.1").withMaxInFlightPerConnection(max));
             Connection c = Connection.connect(server.address(), Fixture.ADMIN, fixture.key(Fixture.ADMIN),
                     TestMessages.registry())) {
            List<CompletableFuture<Message>> replies = new CopyOnWriteArrayList<>();
            for (int i = 0; i < calls; i++) {
                replies.add(c.call(new TestMessages.Echo(i, new byte[0]), TestMessages.CALL_TIMEOUT));
            }
            for (int done = 0; done < calls; done++) {
                int index = done;
                Await.until("request " + index + " reaches the handler", DEADLINE, () -> held.size() > index);
                outstanding.decrementAndGet();
                held.get(index).complete(new TestMessages.EchoReply(index, new byte[0]));
            }
            CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).join();
            assertThat(peak.get()).as("requests in the handler at once").isEqualTo(max);
        }
    }
}
