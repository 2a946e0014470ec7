package io.loligo.msg;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Messages and a handler the network tests share. */
final class TestMessages {
    private TestMessages() {}

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    /** Request echoed back as an EchoReply with the same seq and payload. */
    record Echo(long seq, byte[] payload) implements Message {
        static final int TYPE = 0x0100;

        public int typeId() {
            return TYPE;
        }

        public void encodeFields(Encoder out) {
            out.putLong(seq).putBytes(payload);
        }

        static Echo decode(Decoder in, int version) {
            return new Echo(in.getLong(), in.getBytes());
        }
    }

    record EchoReply(long seq, byte[] payload) implements Message {
        static final int TYPE = 0x0101;

        public int typeId() {
            return TYPE;
        }

        public void encodeFields(Encoder out) {
            out.putLong(seq).putBytes(payload);
        }

        static EchoReply decode(Decoder in, int version) {
            return new EchoReply(in.getLong(), in.getBytes());
        }
    }

    /** One-way note; the server records the seqs in arrival order. */
    record Note(long seq) implements Message {
        static final int TYPE = 0x0102;

        public int typeId() {
            return TYPE;
        }

        public void encodeFields(Encoder out) {
            out.putLong(seq);
        }

        static Note decode(Decoder in, int version) {
            return new Note(in.getLong());
        }
    }

    /** Asks the server to push {@code count} Ticks to this session, then reply with an empty EchoReply. */
    record Subscribe(int count) implements Message {
        static final int TYPE = 0x0103;

        public int typeId() {
            return TYPE;
        }

        public void encodeFields(Encoder out) {
            out.putInt(count);
        }

        static Subscribe decode(Decoder in, int version) {
            return new Subscribe(in.getInt());
        }
    }

    record Tick(long n) implements Message {
        static final int TYPE = 0x0104;

        public int typeId() {
            return TYPE;
        }

        public void encodeFields(Encoder out) {
            out.putLong(n);
        }

        static Tick decode(Decoder in, int version) {
            return new Tick(in.getLong());
        }
    }

    /** The handler fails with RemoteError(code, text). */
    record Fail(int code, String text) implements Message {
        static final int TYPE = 0x0105;

        public int typeId() {
            return TYPE;
        }

        public void encodeFields(Encoder out) {
            out.putInt(code).putString(text);
        }

        static Fail decode(Decoder in, int version) {
            return new Fail(in.getInt(), in.getString());
        }
    }

    /** Who am I: the server replies with the session's entity and caps text in an EchoReply payload. */
    record WhoAmI() implements Message {
        static final int TYPE = 0x0106;

        public int typeId() {
            return TYPE;
        }

        public void encodeFields(Encoder out) {}

        static WhoAmI decode(Decoder in, int version) {
            return new WhoAmI();
        }
    }

    /** The server pushes {@code count} EchoReplies of {@code bytes} bytes each, then replies. */
    record Flood(int count, int bytes) implements Message {
        static final int TYPE = 0x0107;

        public int typeId() {
            return TYPE;
        }

        public void encodeFields(Encoder out) {
            out.putInt(count).putInt(bytes);
        }

        static Flood decode(Decoder in, int version) {
            return new Flood(in.getInt(), in.getInt());
        }
    }

    /** A newer sender's Echo: version 2 appends a field an Echo v1 reader skips. */
    record EchoV2(long seq, byte[] payload, String addedInV2) implements Message {
        public int typeId() {
            return Echo.TYPE;
        }

        public int version() {
            return 2;
        }

        public void encodeFields(Encoder out) {
            out.putLong(seq).putBytes(payload).putString(addedInV2);
        }
    }

    static MessageRegistry registry() {
        return MessageRegistry.create()
                .register(Echo.TYPE, 1, Echo::decode)
                .register(EchoReply.TYPE, 1, EchoReply::decode)
                .register(Note.TYPE, 1, Note::decode)
                .register(Subscribe.TYPE, 1, Subscribe::decode)
                .register(Tick.TYPE, 1, Tick::decode)
                .register(Fail.TYPE, 1, Fail::decode)
                .register(WhoAmI.TYPE, 1, WhoAmI::decode)
                .register(Flood.TYPE, 1, Flood::decode);
    }

    /** Echoes, records notes and request seqs in arrival order, pushes ticks on demand. */
    static final class TestHandler implements Handler {
        final List<Long> notes = new CopyOnWriteArrayList<>();
        final List<Long> requestSeqs = new CopyOnWriteArrayList<>();
        final List<Session> opened = new CopyOnWriteArrayList<>();
        final List<Session> closed = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<? extends Message> onRequest(Session session, Message request) {
            return switch (request) {
                case Echo e -> {
                    requestSeqs.add(e.seq());
                    yield CompletableFuture.completedFuture(new EchoReply(e.seq(), e.payload()));
                }
                case Subscribe s -> {
                    for (int i = 0; i < s.count(); i++) {
                        session.push(new Tick(i));
                    }
                    yield CompletableFuture.completedFuture(new EchoReply(-1, new byte[0]));
                }
                case Flood f -> {
                    int pushed = 0;
                    for (int i = 0; i < f.count() && session.push(new EchoReply(i, new byte[f.bytes()])); i++) {
                        pushed++;
                    }
                    yield CompletableFuture.completedFuture(new EchoReply(pushed, new byte[0]));
                }
                case Fail f -> CompletableFuture.failedFuture(new RemoteError(f.code(), f.text()));
                case WhoAmI w -> CompletableFuture.completedFuture(new EchoReply(0,
                        (session.entity() + " " + session.caps().text()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                default -> CompletableFuture.failedFuture(new RemoteError(ErrorReply.EINVAL, "unexpected " + request));
            };
        }

        @Override
        public void onMessage(Session session, Message message) {
            if (message instanceof Note n) {
                notes.add(n.seq());
            }
        }

        @Override
        public void onSessionOpened(Session session) {
            opened.add(session);
        }

        @Override
        public void onSessionClosed(Session session) {
            closed.add(session);
        }

        List<Long> notesSnapshot() {
            return new ArrayList<>(notes);
        }
    }
}
