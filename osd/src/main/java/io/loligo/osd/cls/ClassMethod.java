package io.loligo.osd.cls;

/** One method of an object class: input bytes in, output bytes out, the object through {@code ctx}. */
@FunctionalInterface
public interface ClassMethod {
    byte[] call(MethodContext ctx, byte[] input) throws ClassException;
}
