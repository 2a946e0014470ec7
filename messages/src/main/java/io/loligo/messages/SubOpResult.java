package io.loligo.messages;

import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import java.util.Objects;

/**
 * The outcome of one sub-op: an {@link OsdResult} code and its {@link OpOutput}.
 *
 * <p>Wire: u32 result, then the output (u8 kind + fields).
 */
public record SubOpResult(int result, OpOutput output) {
    public SubOpResult {
        Objects.requireNonNull(output, "output");
    }

    public static SubOpResult ok() {
        return new SubOpResult(OsdResult.OK, OpOutput.None.INSTANCE);
    }

    public static SubOpResult ok(OpOutput output) {
        return new SubOpResult(OsdResult.OK, output);
    }

    public static SubOpResult error(int code) {
        return new SubOpResult(code, OpOutput.None.INSTANCE);
    }

    void encode(Encoder out) {
        out.putInt(result);
        OpOutput.encode(out, output);
    }

    static SubOpResult decode(Decoder in) {
        return new SubOpResult(in.getInt(), OpOutput.decode(in));
    }
}
