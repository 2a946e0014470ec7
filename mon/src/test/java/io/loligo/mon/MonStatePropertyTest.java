package io.loligo.mon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.maps.monc.MonReply;
import io.loligo.mon.client.MonClient;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Determinism of the replicated state, property-style: a seeded random log of commands (valid,
 * invalid and nonsense) is applied to one state; a second state replays the same log from genesis
 * and a third restarts from a snapshot taken at a random point and replays the rest. All three
 * must encode identically; every command advances the epoch by 0 or 1; apply never throws.
 * Replay a failure with LOLIGO_SEED=<seed>.
 */
class MonStatePropertyTest {
    static Stream<Long> seeds() {
        String env = System.getenv("LOLIGO_SEED");
        return env != null ? Stream.of(Long.parseLong(env)) : LongStream.of(1, 7, 99, 2024, 31337).boxed();
    }

    static ObjectNode randomCommand(SplittableRandom r, long stamp) {
        int osd = r.nextInt(6);
        String pool = "p" + r.nextInt(4);
        ObjectNode c = switch (r.nextInt(16)) {
            case 0, 1 -> MonClient.cmd("osd boot", "uuid", "u" + osd, "addr", "10.0.0." + osd + ":" + (6800 + r.nextInt(2)),
                    "host", "h" + osd % 3, "capacity", (long) r.nextInt(4) << 40);
            case 2 -> MonClient.cmd("osd failure", "target", osd, "reporter", r.nextInt(6), "failed", r.nextBoolean());
            case 3 -> MonClient.cmd("osd down", "ids", List.of(String.valueOf(osd)), "report_timeout", r.nextBoolean());
            case 4 -> MonClient.cmd("osd out", "ids", List.of(String.valueOf(osd)), "auto", r.nextBoolean());
            case 5 -> MonClient.cmd("osd in", "ids", List.of(String.valueOf(osd)));
            case 6 -> MonClient.cmd("osd pool create", "pool", pool, "pg_num", 1 << r.nextInt(6));
            case 7 -> MonClient.cmd("osd pool rm", "pool", pool, "pool2", pool, "yes_i_really_really_mean_it", true);
            case 8 -> MonClient.cmd("osd pool set", "pool", pool, "var", r.nextBoolean() ? "size" : "pg_num",
                    "val", String.valueOf(r.nextInt(12)));
            case 9 -> MonClient.cmd(r.nextBoolean() ? "osd set" : "osd unset", "key",
                    List.of("noout", "nodown", "noup", "pause", "bogus").get(r.nextInt(5)));
            case 10 -> MonClient.cmd("osd crush reweight", "name", "osd." + osd, "weight", String.valueOf(r.nextDouble() * 3));
            case 11 -> MonClient.cmd("config set", "who", "mon", "name", MonOptions.DOWN_OUT_INTERVAL,
                    "value", String.valueOf(r.nextInt(100) - 5));
            case 12 -> MonClient.cmd("auth get-or-create", "entity", "client.c" + r.nextInt(3), "caps", List.of("mon", "allow r"));
            case 13 -> MonClient.cmd("osd beacon", "osd", osd);
            case 14 -> MonClient.cmd("osd rm", "ids", List.of(String.valueOf(osd)));
            default -> MonClient.cmd(List.of("osd frob", "", "osd reweight", "auth caps").get(r.nextInt(4)), "id", "x");
        };
        c.put("stamp", stamp);
        c.put("key", "a2V5" + r.nextInt(1000));
        return c;
    }

    static MonState bootstrapped() {
        MonState s = new MonState();
        ObjectNode c = MonClient.cmd("mon bootstrap", "fsid", "fsid-prop");
        c.put("stamp", 0);
        c.putArray("mons").addObject().put("name", "a").put("addr", "x:1").put("raft_addr", "x:2");
        s.apply(new Cmd(c));
        return s;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void replicasApplyingTheSameLogAgreeByteForByte(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        List<ObjectNode> log = new ArrayList<>();
        long stamp = 1_000;
        for (int i = 0; i < 600; i++) {
            stamp += r.nextInt(20_000);
            log.add(randomCommand(r, stamp));
        }
        MonState a = bootstrapped();
        int snapshotAt = r.nextInt(log.size());
        byte[] snapshot = null;
        for (int i = 0; i < log.size(); i++) {
            if (i == snapshotAt) {
                snapshot = a.encode();
            }
            long before = a.epoch();
            MonReply reply = a.apply(new Cmd(log.get(i).deepCopy()));
            assertThat(a.epoch() - before).as("seed %d cmd %d %s: %s", seed, i, log.get(i), reply.outs()).isBetween(0L, 1L);
        }
        MonState b = bootstrapped();
        log.forEach(c -> b.apply(new Cmd(c.deepCopy())));
        MonState c = MonState.decode(snapshot);
        log.subList(snapshotAt, log.size()).forEach(cmd -> c.apply(new Cmd(cmd.deepCopy())));
        assertThat(b.encode()).as("seed %d: replay from genesis", seed).isEqualTo(a.encode());
        assertThat(c.encode()).as("seed %d: replay from snapshot at %d", seed, snapshotAt).isEqualTo(a.encode());
        assertThat(a.epoch()).as("seed %d: the log changed the map", seed).isGreaterThan(10);
    }
}
