package io.loligo.msg;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A hand-driven peer on a plain blocking socket, for feeding a server exactly the bytes a test
 * wants (garbage, replays, half handshakes) and reading exactly what comes back. Records every
 * byte it sends so a test can replay them.
 */
final class RawPeer implements AutoCloseable {
    record RawFrame(int type, int kind, long correlationId, byte[] payload) {
        Message handshake() {
            ByteBuf buf = Unpooled.wrappedBuffer(payload);
            return Handshake.decode(type, buf);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    final ByteArrayOutputStream sent = new ByteArrayOutputStream();

    RawPeer(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, 10_000);
        socket.setSoTimeout(30_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    RawPeer(Socket accepted) throws IOException {
        socket = accepted;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    static byte[] frameBytes(int kind, long correlationId, Message message) {
        ByteBuf frame = Frames.encode(UnpooledByteBufAllocator.DEFAULT, kind, correlationId, message, Integer.MAX_VALUE);
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }

    byte[] send(int kind, long correlationId, Message message) throws IOException {
        byte[] bytes = frameBytes(kind, correlationId, message);
        sendRaw(bytes);
        return bytes;
    }

    void sendRaw(byte[] bytes) throws IOException {
        sent.write(bytes);
        out.write(bytes);
        out.flush();
    }

    RawFrame read() throws IOException {
        int length = in.readInt();
        byte[] body = new byte[length];
        in.readFully(body);
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        int crc = Frames.crc(buf, 0, length - Frames.CRC_BYTES);
        if (crc != buf.getInt(length - Frames.CRC_BYTES)) {
            throw new IOException("bad CRC from peer");
        }
        byte[] payload = new byte[length - Frames.LENGTH_MIN];
        buf.getBytes(Frames.HEADER_AFTER_LENGTH_BYTES, payload);
        return new RawFrame(buf.getUnsignedShort(0), buf.getUnsignedByte(2), buf.getLong(4), payload);
    }

    /** Runs the client side of the handshake with {@code key}; returns the server's final message. */
    Message handshake(String entity, byte[] key) throws IOException {
        byte[] clientNonce = Handshake.nonce();
        send(Frames.KIND_HANDSHAKE, 0, new Handshake.Hello(Handshake.PROTOCOL_VERSION, entity, clientNonce));
        Message first = read().handshake();
        if (!(first instanceof Handshake.Challenge challenge)) {
            return first;
        }
        byte[] proof = Handshake.clientProof(key, clientNonce, challenge.serverNonce(), entity, challenge.serverEntity());
        send(Frames.KIND_HANDSHAKE, 0, new Handshake.Auth(proof));
        return read().handshake();
    }

    /** True once the peer closed the connection (EOF or reset), false if still open at the deadline. */
    boolean awaitClosed(Duration deadline) throws IOException {
        socket.setSoTimeout((int) deadline.toMillis());
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
