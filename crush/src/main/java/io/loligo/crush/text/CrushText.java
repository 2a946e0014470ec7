package io.loligo.crush.text;

import io.loligo.crush.CrushMap;

/** Ceph's decompiled text crush map format (what {@code crushtool -d} prints). PLACEHOLDER: being written. */
public final class CrushText {
    private CrushText() {}

    public static CrushMap parse(String text) throws CrushParseException {
        throw new UnsupportedOperationException("text parser not written yet");
    }

    public static String print(CrushMap map) {
        throw new UnsupportedOperationException("text printer not written yet");
    }
}
