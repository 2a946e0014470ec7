package io.loligo.msg;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client-side TCP connection: runs the handshake (completing {@link #authenticated}), then
 * correlates replies to pending calls and delivers pushes. When the connection ends every pending
 * call fails with {@link ConnectionLost}.
 */
final class ClientChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientChannelHandler.class);

    private enum State { AWAIT_CHALLENGE, AWAIT_AUTH_OK, OPEN, CLOSED }

    private record Pending(CompletableFuture<Message> future, io.netty.util.Timeout timer) {}

    private final Connection connection;
    private final byte[] clientNonce = Handshake.nonce();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    final CompletableFuture<Channel> authenticated = new CompletableFuture<>();
    private volatile boolean inactive;
    private State state = State.AWAIT_CHALLENGE;
    private Handshake.Challenge challenge;
    private FrameDecoder decoder;

    ClientChannelHandler(Connection connection) {
        this.connection = connection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        decoder = ctx.pipeline().get(FrameDecoder.class);
        send(ctx, new Handshake.Hello(Handshake.PROTOCOL_VERSION, connection.entity(), clientNonce));
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        inactive = true;
        authenticated.completeExceptionally(new ConnectionLost(connection.name() + ": connection closed during the handshake"));
        ConnectionLost lost = new ConnectionLost(connection.name() + ": connection lost before the reply");
        for (Long id : pending.keySet()) {
            fail(id, lost);
        }
    }

    /** Registers a call and writes it; the future fails with {@link ConnectionLost}, {@link Timeout} or {@link RemoteError}. */
    CompletableFuture<Message> call(Channel channel, long correlationId, ByteBuf frame, long timeoutNanos) {
        CompletableFuture<Message> future = new CompletableFuture<>();
        if (pending.size() >= connection.options().maxPendingCalls()) {
            frame.release();
            future.completeExceptionally(new Overloaded(connection.name() + ": " + pending.size()
                    + " calls pending, the limit is " + connection.options().maxPendingCalls()));
            return future;
        }
        io.netty.util.Timeout timer = EventLoops.timer().newTimeout(
                expired -> fail(correlationId, new Timeout(connection.name() + ": no reply within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms")),
                timeoutNanos, TimeUnit.NANOSECONDS);
        pending.put(correlationId, new Pending(future, timer));
        if (inactive) {
            fail(correlationId, new ConnectionLost(connection.name() + ": not connected"));
            frame.release();
            return future;
        }
        channel.writeAndFlush(frame).addListener(written -> {
            if (!written.isSuccess()) {
                fail(correlationId, new ConnectionLost(connection.name() + ": write failed", written.cause()));
            }
        });
        return future;
    }

    private void fail(long correlationId, Throwable error) {
        Pending call = pending.remove(correlationId);
        if (call != null) {
            call.timer().cancel();
            call.future().completeExceptionally(error);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        try {
            if (state == State.OPEN) {
                onApplicationFrame(frame);
            } else if (state != State.CLOSED) {
                onHandshakeFrame(ctx, frame);
            }
        } catch (BadFrame | DecodeException | MessageRegistry.UnknownMessageType e) {
            abandon(ctx, new ProtocolError(connection.name() + ": " + e.getMessage()));
        } finally {
            frame.payload().release();
        }
    }

    private void onHandshakeFrame(ChannelHandlerContext ctx, Frame frame) {
        if (frame.kind() != Frames.KIND_HANDSHAKE) {
            throw new BadFrame(DropReason.PROTOCOL_VIOLATION, Frames.kindName(frame.kind()) + " frame during the handshake");
        }
        Message message = Handshake.decode(frame.type(), frame.payload());
        if (message instanceof Handshake.Refused refused) {
            state = State.CLOSED;
            authenticated.completeExceptionally(new AuthFailed(refused.code(), connection.name() + ": server refused: "
                    + refused.reason()));
            ctx.close();
        } else if (state == State.AWAIT_CHALLENGE && message instanceof Handshake.Challenge c) {
            if (!connection.options().acceptsServer(c.serverEntity())) {
                state = State.CLOSED;
                authenticated.completeExceptionally(new AuthFailed(ErrorReply.EACCES, connection.name() + ": server identifies as "
                        + c.serverEntity() + ", expected a " + connection.options().serverType()));
                ctx.close();
                return;
            }
            challenge = c;
            state = State.AWAIT_AUTH_OK;
            send(ctx, new Handshake.Auth(Handshake.clientProof(connection.key(), clientNonce, c.serverNonce(),
                    connection.entity(), c.serverEntity())));
        } else if (state == State.AWAIT_AUTH_OK && message instanceof Handshake.AuthOk ok) {
            byte[] expected = Handshake.serverProof(connection.key(), clientNonce, challenge.serverNonce(),
                    connection.entity(), challenge.serverEntity());
            if (!Handshake.proofMatches(expected, ok.serverProof())) {
                state = State.CLOSED;
                log.warn("{}: server {} ({}) could not prove it knows our key; connection closed", connection.name(),
                        challenge.serverEntity(), ctx.channel().remoteAddress());
                authenticated.completeExceptionally(new AuthFailed(ErrorReply.EACCES, connection.name() + ": server "
                        + challenge.serverEntity() + " could not prove it knows the key of " + connection.entity()));
                ctx.close();
                return;
            }
            state = State.OPEN;
            decoder.maxFrameBytes(connection.options().maxFrameBytes());
            authenticated.complete(ctx.channel());
        } else {
            throw new BadFrame(DropReason.PROTOCOL_VIOLATION, "handshake message " + message.getClass().getSimpleName()
                    + " unexpected in state " + state);
        }
    }

    private void onApplicationFrame(Frame frame) {
        if (frame.kind() == Frames.KIND_PUSH) {
            Message push = connection.registry().decode(frame.type(), frame.payload());
            connection.deliverPush(push);
            return;
        }
        if (frame.kind() != Frames.KIND_REPLY) {
            throw new BadFrame(DropReason.PROTOCOL_VIOLATION, Frames.kindName(frame.kind()) + " frame from a server");
        }
        Pending call = pending.remove(frame.correlationId());
        if (call == null) {
            log.debug("{}: reply {} arrived after its call ended (timeout)", connection.name(), frame.correlationId());
            return;
        }
        call.timer().cancel();
        Message reply;
        try {
            reply = connection.registry().decode(frame.type(), frame.payload());
        } catch (RuntimeException e) {
            call.future().completeExceptionally(new ProtocolError(connection.name() + ": reply does not decode: " + e.getMessage()));
            throw e;
        }
        if (reply instanceof ErrorReply error) {
            call.future().completeExceptionally(new RemoteError(error.code(), error.message()));
        } else {
            call.future().complete(reply);
        }
    }

    private void send(ChannelHandlerContext ctx, Message message) {
        ctx.writeAndFlush(Frames.encode(ctx.alloc(), Frames.KIND_HANDSHAKE, 0, message, Handshake.FRAME_BYTES_MAX),
                ctx.voidPromise());
    }

    private void abandon(ChannelHandlerContext ctx, MsgException error) {
        if (state == State.CLOSED) {
            return;
        }
        log.warn("{}: peer {}: {}; connection closed", connection.name(), ctx.channel().remoteAddress(), error.getMessage());
        state = State.CLOSED;
        authenticated.completeExceptionally(error);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof BadFrame bad) {
            abandon(ctx, new ProtocolError(connection.name() + ": " + bad.getMessage()));
        } else if (root instanceof IOException) {
            log.debug("{}: {}", connection.name(), root.toString());
            authenticated.completeExceptionally(new ConnectionLost(connection.name() + ": " + root.getMessage(), root));
            ctx.close();
        } else {
            log.warn("{}: unexpected error; connection closed", connection.name(), root);
            authenticated.completeExceptionally(new ConnectionLost(connection.name() + ": " + root, root));
            ctx.close();
        }
    }
}
