package io.loligo.msg;

import io.netty.buffer.ByteBuf;

/** A decoded, CRC-checked frame (format in {@link Frames}); whoever receives it releases {@code payload}. */
record Frame(int type, int kind, long correlationId, ByteBuf payload) {}
