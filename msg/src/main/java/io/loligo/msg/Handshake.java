package io.loligo.msg;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The authentication handshake, in the spirit of Ceph's cephx: both sides prove they know the
 * client entity's secret key without sending it, and each connection gets a fresh server nonce so
 * a recorded handshake cannot be replayed.
 * <pre>
 *   client                                      server
 *   HELLO   {u16 protocol, entity, client nonce}  →      looks the entity up (KeyLookup)
 *           ←  CHALLENGE {server entity, server nonce}   (fresh random nonce per connection)
 *   AUTH    {client proof}                         →      checks the proof in constant time
 *           ←  AUTH_OK {server proof}                    or REFUSED {code, reason} and close
 *   checks the server proof; a wrong one ends the connection with AuthFailed
 *
 *   client proof = HMAC-SHA256(key, "loligo-auth-client" ‖ transcript)
 *   server proof = HMAC-SHA256(key, "loligo-auth-server" ‖ transcript)
 *   transcript   = client nonce ‖ server nonce ‖ client entity ‖ server entity (each u32-length-prefixed)
 * </pre>
 * The two labels keep a client proof from being reflected as a server proof. The server proves
 * itself only after the client did, so an unauthenticated peer learns nothing keyed. Handshake
 * frames are kind 5, limited to {@link #FRAME_BYTES_MAX}, and must complete within the server's
 * handshake timeout.
 */
final class Handshake {
    static final int PROTOCOL_VERSION = 1;
    static final int NONCE_BYTES = 16;
    static final int FRAME_BYTES_MAX = 4096;
    static final int ENTITY_NAME_BYTES_MAX = 256;

    static final int TYPE_HELLO = 0x0001;
    static final int TYPE_CHALLENGE = 0x0002;
    static final int TYPE_AUTH = 0x0003;
    static final int TYPE_AUTH_OK = 0x0004;
    static final int TYPE_REFUSED = 0x0005;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {}

    record Hello(int protocol, String entity, byte[] clientNonce) implements Message {
        public int typeId() {
            return TYPE_HELLO;
        }

        public void encodeFields(Encoder out) {
            out.putShort(protocol).putString(entity).putBytes(clientNonce);
        }

        static Hello decode(Decoder in, int version) {
            return new Hello(in.getUnsignedShort(), in.getString(), in.getBytes());
        }
    }

    record Challenge(String serverEntity, byte[] serverNonce) implements Message {
        public int typeId() {
            return TYPE_CHALLENGE;
        }

        public void encodeFields(Encoder out) {
            out.putString(serverEntity).putBytes(serverNonce);
        }

        static Challenge decode(Decoder in, int version) {
            return new Challenge(in.getString(), in.getBytes());
        }
    }

    record Auth(byte[] clientProof) implements Message {
        public int typeId() {
            return TYPE_AUTH;
        }

        public void encodeFields(Encoder out) {
            out.putBytes(clientProof);
        }

        static Auth decode(Decoder in, int version) {
            return new Auth(in.getBytes());
        }
    }

    record AuthOk(byte[] serverProof) implements Message {
        public int typeId() {
            return TYPE_AUTH_OK;
        }

        public void encodeFields(Encoder out) {
            out.putBytes(serverProof);
        }

        static AuthOk decode(Decoder in, int version) {
            return new AuthOk(in.getBytes());
        }
    }

    record Refused(int code, String reason) implements Message {
        public int typeId() {
            return TYPE_REFUSED;
        }

        public void encodeFields(Encoder out) {
            out.putInt(code).putString(reason);
        }

        static Refused decode(Decoder in, int version) {
            return new Refused(in.getInt(), in.getString());
        }
    }

    /** Decodes a handshake frame's payload; unknown handshake types are protocol errors. */
    static Message decode(int type, io.netty.buffer.ByteBuf payload) {
        Decoder in = new Decoder(payload);
        in.startStruct(1);
        Message message = switch (type) {
            case TYPE_HELLO -> Hello.decode(in, 1);
            case TYPE_CHALLENGE -> Challenge.decode(in, 1);
            case TYPE_AUTH -> Auth.decode(in, 1);
            case TYPE_AUTH_OK -> AuthOk.decode(in, 1);
            case TYPE_REFUSED -> Refused.decode(in, 1);
            default -> throw new BadFrame(DropReason.PROTOCOL_VIOLATION, "unknown handshake message type 0x" + Integer.toHexString(type));
        };
        in.endStruct();
        if (payload.isReadable()) {
            throw new DecodeException("handshake message has " + payload.readableBytes() + " trailing bytes");
        }
        return message;
    }

    static byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    static byte[] clientProof(byte[] key, byte[] clientNonce, byte[] serverNonce, String clientEntity, String serverEntity) {
        return proof(key, "loligo-auth-client", clientNonce, serverNonce, clientEntity, serverEntity);
    }

    static byte[] serverProof(byte[] key, byte[] clientNonce, byte[] serverNonce, String clientEntity, String serverEntity) {
        return proof(key, "loligo-auth-server", clientNonce, serverNonce, clientEntity, serverEntity);
    }

    /** Constant-time comparison, so timing does not reveal how much of a forged proof was right. */
    static boolean proofMatches(byte[] expected, byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] proof(byte[] key, String label, byte[] clientNonce, byte[] serverNonce,
                                String clientEntity, String serverEntity) {
        if (key.length == 0) {
            return new byte[0];   // a client without a key sends an empty proof; the server refuses it
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(label.getBytes(StandardCharsets.US_ASCII));
            updatePrefixed(mac, clientNonce);
            updatePrefixed(mac, serverNonce);
            updatePrefixed(mac, clientEntity.getBytes(StandardCharsets.UTF_8));
            updatePrefixed(mac, serverEntity.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable in this JDK", e);
        }
    }

    private static void updatePrefixed(Mac mac, byte[] bytes) {
        mac.update((byte) (bytes.length >>> 24));
        mac.update((byte) (bytes.length >>> 16));
        mac.update((byte) (bytes.length >>> 8));
        mac.update((byte) bytes.length);
        mac.update(bytes);
    }
}
