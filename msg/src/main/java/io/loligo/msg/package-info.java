/**
 * The Messenger: length-prefixed, CRC32C-checked, authenticated frames over TCP (Netty, native epoll).
 *
 * <p>Entry points: {@link io.loligo.msg.MessengerServer#start} with a {@link io.loligo.msg.Handler}
 * and an {@link io.loligo.msg.auth.KeyLookup}; {@link io.loligo.msg.Connection#connect} on the
 * client; {@link io.loligo.msg.Message} + {@link io.loligo.msg.MessageRegistry} for message types,
 * written with {@link io.loligo.msg.Encoder} and read with {@link io.loligo.msg.Decoder}. Wire
 * format in {@code Frames}, handshake in {@code Handshake}; design and measurements in docs/msg.md.
 *
 * <p>Architecture invariant: a connection carries no application frame before the mutual
 * handshake completed, and bad input from a peer closes that peer's connection only.
 * Architecture invariant: depends on {@code common}, Netty and SLF4J only.
 */
package io.loligo.msg;
