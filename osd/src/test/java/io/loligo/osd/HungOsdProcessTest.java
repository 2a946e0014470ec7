package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.placement.PgMapping;
import io.loligo.maps.OsdMap;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.MonConnection;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A replica that hangs (SIGSTOP) under writes is marked down, and its PGs re-peer without it at
 * once: peering must not wait on an OSD the new map already shows down.
 */
class HungOsdProcessTest {
    /**
     * Regression, hung-osd (seed 8130234202103877585): IO resumed 28 s after osd.2 was stopped,
     * against the scenario's 25 s. The map marking osd.2 down came after the heartbeat grace, but
     * peering then queried osd.2 (a member of the past interval) and waited out the 20 s peering
     * query timeout ({@code PgPeering.CALL_TIMEOUT}): {@code OsdDaemon} published the map that
     * {@code isUp()} reads only after the PGs had started advancing to it, so peering asked about
     * the map before, where osd.2 was up. Here one writer per object (four objects in four PGs whose
     * primary is not osd.2, so osd.2 is a replica of each) keeps writing while osd.2 is stopped;
     * once the map shows osd.2 down, every object must take a new write within 15 s, well under the
     * 20 s the old code waited, and within the scenario's 25 s of the stop.
     */
    @Test
    void hungOsd8130234202103877585_ioResumesWithoutWaitingOnAReplicaTheMapShowsDown() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of())) {
            try {
                run(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(), t);
            }
        }
    }

    private static final int STOPPED = 2;

    private void run(OsdCluster cluster) throws Exception {
        MonConnection admin = cluster.startWithPool(3);
        OsdCluster.awaitPgStates(admin, "active+clean", 8, Duration.ofSeconds(90));
        try (TestClient client = new TestClient(cluster, "client.admin")) {
            List<String> names = objectsReplicatedOn(admin.osdMap(), STOPPED, 4);
            // Per object: the invocation and completion times (ns) of its acknowledged writes.
            Map<String, List<long[]>> acked = new ConcurrentHashMap<>();
            List<Thread> writers = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            var stopWriters = new java.util.concurrent.atomic.AtomicBoolean();
            for (String name : names) {
                acked.put(name, new java.util.concurrent.CopyOnWriteArrayList<>());
                writers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; !stopWriters.get(); i++) {
                        long invoked = System.nanoTime();
                        try {
                            MOSDOpReply r = client.op("p", name, new OsdOp.WriteFull(
                                    (name + " v" + i).getBytes(StandardCharsets.UTF_8)));
                            if (r.result() != OsdResult.OK) {
                                throw new AssertionError("write " + i + " of " + name + ": " + r);
                            }
                            acked.get(name).add(new long[] {invoked, System.nanoTime()});
                        } catch (Throwable t) {
                            failures.add(t);
                            return;
                        }
                    }
                }));
            }
            try {
                OsdCluster.await("a write acknowledged on every object", Duration.ofSeconds(60),
                        () -> acked.values().stream().noneMatch(List::isEmpty));
                Process osd = cluster.procs.get("osd." + STOPPED);
                long stoppedNanos = System.nanoTime();
                signal(osd, "STOP");
                try {
                    OsdCluster.awaitMap(admin, "osd." + STOPPED + " marked down", Duration.ofSeconds(60),
                            m -> !m.osd(STOPPED).up());
                    long downNanos = System.nanoTime();
                    // "Resumed": a write invoked after the down map was seen, acknowledged. Waiting up to
                    // 60 s shows how long the old code took instead of a bare timeout.
                    OsdCluster.await("a write invoked after the down map acknowledged on every object",
                            Duration.ofSeconds(60), () -> !failures.isEmpty() || names.stream()
                                    .allMatch(n -> firstAckInvokedAfter(acked.get(n), downNanos) != null));
                    assertThat(failures).as("writer failures").isEmpty();
                    long resumedNanos = names.stream().mapToLong(n -> firstAckInvokedAfter(acked.get(n), downNanos))
                            .max().orElseThrow();
                    double afterDownS = (resumedNanos - downNanos) / 1e9;
                    double afterStopS = (resumedNanos - stoppedNanos) / 1e9;
                    System.out.printf("[hung-osd] osd.%d marked down %.1f s after SIGSTOP; IO on every object %.1f s after"
                            + " the down map, %.1f s after SIGSTOP%n", STOPPED, (downNanos - stoppedNanos) / 1e9,
                            afterDownS, afterStopS);
                    assertThat(afterDownS).as("seconds from the map marking osd.%d down until every object took a write"
                            + " (the old code waited out the 20 s peering query timeout)", STOPPED).isLessThan(15.0);
                    assertThat(afterStopS).as("seconds from SIGSTOP until IO resumed on every object (the scenario's"
                            + " bound)").isLessThan(25.0);
                } finally {
                    resume(osd);
                }
            } finally {
                stopWriters.set(true);
                for (Thread w : writers) {
                    w.join(Duration.ofSeconds(90));
                }
            }
        }
    }

    /** {@code count} object names in distinct PGs of pool p whose acting set has {@code osd}, not as primary. */
    private static List<String> objectsReplicatedOn(OsdMap map, int osd, int count) {
        Pool pool = map.poolByName("p");
        List<String> out = new ArrayList<>();
        Set<Integer> pgs = new HashSet<>();
        for (int i = 0; out.size() < count && i < 10_000; i++) {
            String name = "hung-" + i;
            PgMapping mapping = map.placement().mapObject(pool, "", name);
            boolean replica = java.util.Arrays.stream(mapping.acting()).anyMatch(o -> o == osd) && mapping.actingPrimary() != osd;
            if (replica && pgs.add(mapping.pg().seed())) {
                out.add(name);
            }
        }
        assertThat(out).as("objects in distinct PGs with osd.%d a replica", osd).hasSize(count);
        return out;
    }

    /** Completion time of the first acknowledged write invoked at or after {@code nanos}, or null. */
    private static Long firstAckInvokedAfter(List<long[]> writes, long nanos) {
        for (long[] w : writes) {
            if (w[0] - nanos >= 0) {
                return w[1];
            }
        }
        return null;
    }

    /** SIGCONT, best effort: a failure here must not hide the test's own. */
    private static void resume(Process p) throws Exception {
        if (p.isAlive()) {
            new ProcessBuilder("kill", "-CONT", String.valueOf(p.pid())).inheritIO().start().waitFor();
        }
    }

    private static void signal(Process p, String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + sig, String.valueOf(p.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", sig, p.pid()).isZero();
    }
}
