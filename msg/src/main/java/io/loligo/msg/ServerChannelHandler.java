package io.loligo.msg;

import io.loligo.msg.auth.Caps;
import io.loligo.msg.auth.EntityKey;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server-side connection: the handshake ({@link Handshake}), then requests and one-way
 * messages to the {@link Handler}. All state is touched on the connection's event loop only,
 * except replies, which are encoded on the thread completing the handler's future.
 */
final class ServerChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ServerChannelHandler.class);

    private enum State { AWAIT_HELLO, AWAIT_AUTH, OPEN, CLOSED }

    private final MessengerServer server;
    private State state = State.AWAIT_HELLO;
    private boolean admitted;
    private ScheduledFuture<?> handshakeTimer;
    private Handshake.Hello hello;
    private EntityKey entityKey;
    private byte[] serverNonce;
    private Session session;
    private int inFlight;
    /**
     * Frames read after {@link ServerOptions#maxInFlightPerConnection} requests were in flight; reading
     * stops at that point, so this holds at most one read burst. Drained, in order, as replies go out.
     */
    private final ArrayDeque<Frame> backlog = new ArrayDeque<>();
    private boolean draining;

    ServerChannelHandler(MessengerServer server) {
        this.server = server;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!server.admit()) {
            refuse(ctx, ErrorReply.EBUSY, "server at max_connections " + server.options().maxConnections()
                    + "; try another daemon or later", DropReason.TOO_MANY_CONNECTIONS);
            return;
        }
        admitted = true;
        long timeoutNanos = server.options().handshakeTimeout().toNanos();
        handshakeTimer = ctx.executor().schedule(() -> {
            if (state == State.AWAIT_HELLO || state == State.AWAIT_AUTH) {
                drop(ctx, DropReason.HANDSHAKE_TIMEOUT, "handshake not completed within "
                        + server.options().handshakeTimeout() + " (state " + state + ")");
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        if (admitted) {
            server.release();
        }
        for (Frame frame; (frame = backlog.poll()) != null; ) {
            frame.payload().release();
        }
        if (session != null) {
            server.closed(session);
            try {
                server.handler().onSessionClosed(session);
            } catch (RuntimeException e) {
                log.warn("{}: handler failed on close of {}", server.name(), session, e);
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        if (state == State.OPEN && (!backlog.isEmpty() || inFlight >= server.options().maxInFlightPerConnection())) {
            backlog.add(frame);
            return;
        }
        process(ctx, frame);
    }

    private void process(ChannelHandlerContext ctx, Frame frame) {
        try {
            if (state == State.CLOSED) {
                return;
            }
            if (state == State.OPEN) {
                onApplicationFrame(ctx, frame);
            } else {
                onHandshakeFrame(ctx, frame);
            }
        } catch (BadFrame e) {
            drop(ctx, e.reason, e.getMessage());
        } catch (DecodeException e) {
            drop(ctx, DropReason.MALFORMED_FRAME, "type 0x" + Integer.toHexString(frame.type()) + ": " + e.getMessage());
        } catch (MessageRegistry.UnknownMessageType e) {
            drop(ctx, DropReason.UNKNOWN_TYPE, e.getMessage() + " in a " + Frames.kindName(frame.kind()));
        } finally {
            frame.payload().release();
        }
    }

    private void onHandshakeFrame(ChannelHandlerContext ctx, Frame frame) {
        if (frame.kind() != Frames.KIND_HANDSHAKE) {
            throw new BadFrame(DropReason.PROTOCOL_VIOLATION, Frames.kindName(frame.kind()) + " frame before the handshake completed");
        }
        Message message = Handshake.decode(frame.type(), frame.payload());
        if (state == State.AWAIT_HELLO && message instanceof Handshake.Hello h) {
            onHello(ctx, h);
        } else if (state == State.AWAIT_AUTH && message instanceof Handshake.Auth auth) {
            onAuth(ctx, auth);
        } else {
            throw new BadFrame(DropReason.PROTOCOL_VIOLATION, "handshake message " + message.getClass().getSimpleName()
                    + " unexpected in state " + state);
        }
    }

    private void onHello(ChannelHandlerContext ctx, Handshake.Hello h) {
        hello = h;
        if (h.protocol() != Handshake.PROTOCOL_VERSION) {
            refuse(ctx, ErrorReply.EPROTO, "protocol version " + h.protocol() + " not supported (expected "
                    + Handshake.PROTOCOL_VERSION + ")", DropReason.AUTH_REFUSED);
            return;
        }
        if (h.clientNonce().length != Handshake.NONCE_BYTES || h.entity().isEmpty()
                || h.entity().length() > Handshake.ENTITY_NAME_BYTES_MAX) {
            throw new BadFrame(DropReason.MALFORMED_FRAME, "HELLO with nonce of " + h.clientNonce().length
                    + " bytes and entity name of " + h.entity().length() + " chars");
        }
        if (!io.loligo.msg.auth.Keyring.isValidEntityName(h.entity())) {
            refuse(ctx, ErrorReply.EINVAL, "entity name '" + h.entity() + "' is not valid (expected TYPE.ID, e.g. client.admin)",
                    DropReason.AUTH_REFUSED);
            return;
        }
        Optional<EntityKey> key = server.keys().lookup(h.entity());
        if (key.isEmpty()) {
            refuse(ctx, ErrorReply.ENOENT, "unknown entity " + h.entity()
                    + "; create it with: loligo auth get-or-create " + h.entity(), DropReason.AUTH_REFUSED);
            return;
        }
        entityKey = key.get();
        serverNonce = Handshake.nonce();
        state = State.AWAIT_AUTH;
        send(ctx, new Handshake.Challenge(server.options().serverEntity(), serverNonce));
    }

    private void onAuth(ChannelHandlerContext ctx, Handshake.Auth auth) {
        byte[] key = entityKey.key();
        String serverEntity = server.options().serverEntity();
        byte[] expected = Handshake.clientProof(key, hello.clientNonce(), serverNonce, hello.entity(), serverEntity);
        if (!Handshake.proofMatches(expected, auth.clientProof())) {
            refuse(ctx, ErrorReply.EACCES, "authentication failed for " + hello.entity() + ": wrong key",
                    DropReason.AUTH_REFUSED);
            return;
        }
        Caps caps;
        try {
            caps = entityKey.parsedCaps();
        } catch (Caps.ParseException e) {
            refuse(ctx, ErrorReply.EACCES, "caps of " + hello.entity() + " do not parse: " + e.getMessage(),
                    DropReason.AUTH_REFUSED);
            return;
        }
        byte[] proof = Handshake.serverProof(key, hello.clientNonce(), serverNonce, hello.entity(), serverEntity);
        handshakeTimer.cancel(false);
        state = State.OPEN;
        FrameDecoder decoder = ctx.pipeline().get(FrameDecoder.class);
        decoder.maxFrameBytes(server.options().maxFrameBytes());
        send(ctx, new Handshake.AuthOk(proof));
        session = new Session(hello.entity(), caps, ctx.channel(), server);
        server.opened(session);
        log.debug("{}: peer {} authenticated as {}", server.name(), ctx.channel().remoteAddress(), hello.entity());
        server.handler().onSessionOpened(session);
    }

    private void onApplicationFrame(ChannelHandlerContext ctx, Frame frame) {
        int kind = frame.kind();
        if (kind != Frames.KIND_REQUEST && kind != Frames.KIND_ONE_WAY) {
            throw new BadFrame(DropReason.PROTOCOL_VIOLATION, Frames.kindName(kind) + " frame from a client");
        }
        Message message = server.registry().decode(frame.type(), frame.payload());
        if (kind == Frames.KIND_ONE_WAY) {
            try {
                server.handler().onMessage(session, message);
            } catch (RuntimeException e) {
                log.warn("{}: handler failed on one-way {} from {}", server.name(), message.getClass().getSimpleName(), session, e);
            }
            return;
        }
        inFlight++;
        if (inFlight >= server.options().maxInFlightPerConnection()) {
            ctx.channel().config().setAutoRead(false);
        }
        CompletableFuture<? extends Message> reply;
        try {
            reply = server.handler().onRequest(session, message);
            if (reply == null) {
                reply = CompletableFuture.failedFuture(new IllegalStateException("handler returned null for " + message));
            }
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        long correlationId = frame.correlationId();
        reply.whenComplete((m, error) -> reply(ctx, correlationId, m, error));
    }

    private void reply(ChannelHandlerContext ctx, long correlationId, Message reply, Throwable error) {
        Message out = error == null ? reply : errorReply(error);
        ByteBuf frame;
        try {
            frame = Frames.encode(ctx.alloc(), Frames.KIND_REPLY, correlationId, out, server.options().maxFrameBytes());
        } catch (RuntimeException e) {
            log.warn("{}: reply to {} does not encode", server.name(), session, e);
            frame = Frames.encode(ctx.alloc(), Frames.KIND_REPLY, correlationId,
                    new ErrorReply(ErrorReply.EIO, "reply does not encode: " + e.getMessage()), server.options().maxFrameBytes());
        }
        ByteBuf toWrite = frame;
        if (ctx.executor().inEventLoop()) {
            writeReply(ctx, toWrite);
        } else {
            ctx.executor().execute(() -> writeReply(ctx, toWrite));
        }
    }

    private void writeReply(ChannelHandlerContext ctx, ByteBuf frame) {
        ctx.writeAndFlush(frame, ctx.voidPromise());
        inFlight--;
        int max = server.options().maxInFlightPerConnection();
        if (draining) {
            return;   // the outer drain loop below continues; no recursion per backlog frame
        }
        draining = true;
        try {
            while (state == State.OPEN && inFlight < max && !backlog.isEmpty()) {
                process(ctx, backlog.poll());
            }
        } finally {
            draining = false;
        }
        if (state == State.OPEN && inFlight < max && backlog.isEmpty() && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private ErrorReply errorReply(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof RemoteError remote) {
            return new ErrorReply(remote.code(), remote.getMessage() == null ? "" : remote.getMessage());
        }
        log.warn("{}: handler failed for {}", server.name(), session, cause);
        return new ErrorReply(ErrorReply.EIO, "internal error: " + cause);
    }

    private void send(ChannelHandlerContext ctx, Message message) {
        ctx.writeAndFlush(Frames.encode(ctx.alloc(), Frames.KIND_HANDSHAKE, 0, message, Handshake.FRAME_BYTES_MAX),
                ctx.voidPromise());
    }

    private void refuse(ChannelHandlerContext ctx, int code, String reason, DropReason dropReason) {
        log.warn("{}: peer {} entity={}: refused ({}): {}; connection closed", server.name(),
                ctx.channel().remoteAddress(), hello == null ? "-" : hello.entity(), code, reason);
        server.countDrop(dropReason);
        state = State.CLOSED;
        ByteBuf frame = Frames.encode(ctx.alloc(), Frames.KIND_HANDSHAKE, 0, new Handshake.Refused(code, reason),
                Handshake.FRAME_BYTES_MAX);
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }

    private void drop(ChannelHandlerContext ctx, DropReason reason, String detail) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        log.warn("{}: peer {} entity={}: {}; connection closed", server.name(), ctx.channel().remoteAddress(),
                session != null ? session.entity() : hello != null ? hello.entity() : "-", detail);
        server.countDrop(reason);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof BadFrame bad) {
            drop(ctx, bad.reason, bad.getMessage());
        } else if (root instanceof IOException) {
            log.debug("{}: peer {}: {}", server.name(), ctx.channel().remoteAddress(), root.toString());
            state = State.CLOSED;
            ctx.close();
        } else {
            log.warn("{}: peer {}: unexpected error; connection closed", server.name(), ctx.channel().remoteAddress(), root);
            state = State.CLOSED;
            ctx.close();
        }
    }
}
