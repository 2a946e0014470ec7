package io.loligo.msg;

import java.util.stream.LongStream;

/** Seeds for property tests: a fixed list, plus LOLIGO_SEED when set (to replay a failure). */
final class Seeds {
    private Seeds() {}

    static LongStream seeds() {
        String replay = System.getenv("LOLIGO_SEED");
        if (replay != null && !replay.isBlank()) {
            return LongStream.of(Long.parseLong(replay.trim()));
        }
        return LongStream.of(1, 2, 3, 42, 0x5eed, 20261125, -7);
    }
}
