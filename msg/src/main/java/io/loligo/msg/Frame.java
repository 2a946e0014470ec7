package io.loligo.msg;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * A decoded, CRC-checked frame (format in {@link Frames}); whoever receives it releases it (its
 * {@code payload}). Reference counted so a frame nobody handled is released by Netty's pipeline
 * tail or by {@code EmbeddedChannel.finishAndReleaseAll} instead of leaking.
 */
record Frame(int type, int kind, long correlationId, ByteBuf payload) implements ReferenceCounted {
    @Override
    public int refCnt() {
        return payload.refCnt();
    }

    @Override
    public Frame retain() {
        payload.retain();
        return this;
    }

    @Override
    public Frame retain(int increment) {
        payload.retain(increment);
        return this;
    }

    @Override
    public Frame touch() {
        payload.touch();
        return this;
    }

    @Override
    public Frame touch(Object hint) {
        payload.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return payload.release();
    }

    @Override
    public boolean release(int decrement) {
        return payload.release(decrement);
    }
}
