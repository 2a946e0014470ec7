package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.maps.monc.MonConnection;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.osd.objectstore.Faults;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kills a primary between its local commit and its replicas' acks (the armed fault point
 * osd.replicate.after_local_commit halts osd.0 on its 3rd replicated write) while a client appends
 * numbered records to ten objects, resending with the same reqid until answered. Afterwards, and
 * again after osd.0 returns and is recovered by peering, every object holds exactly the records
 * that were sent to it, each once, in order: nothing acknowledged is lost, nothing is half-applied
 * or applied twice.
 */
class PrimaryCrashTest {
    static final int OBJECTS = 10;
    static final int RECORDS = 60;

    @Test
    void primaryCrashAfterLocalCommitLosesNothingAndAppliesOnce() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of())) {
            try {
                run(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(), t);
            }
        }
    }

    private void run(OsdCluster cluster) throws Exception {
        Process victim = cluster.startOsd(0, "-Dloligo.faults=osd.replicate.after_local_commit:halt:3");
        MonConnection admin = cluster.startWithPool(3);
        Map<String, List<String>> sent = new HashMap<>();
        try (TestClient client = new TestClient(cluster, "client.admin")) {
            for (int i = 0; i < RECORDS; i++) {
                String name = "log-" + (i % OBJECTS);
                String record = i + ",";
                MOSDOpReply r = client.op("p", name, new OsdOp.Append(record.getBytes(StandardCharsets.UTF_8)));
                assertThat(r.result()).as("append %d: %s", i, r).isEqualTo(OsdResult.OK);
                sent.computeIfAbsent(name, k -> new ArrayList<>()).add(record);
            }
            assertThat(victim.isAlive()).as("the fault point halted osd.0").isFalse();
            assertThat(victim.exitValue()).isEqualTo(Faults.HALT_EXIT_CODE);
            checkExactlyOnce(client, sent);

            cluster.procs.remove("osd.0");
            cluster.startOsd(0);
            OsdCluster.awaitMap(admin, "osd.0 back up", Duration.ofSeconds(60), m -> m.osd(0).up());
            OsdCluster.awaitPgStates(admin, "active+clean", 8, Duration.ofSeconds(60));
            checkExactlyOnce(client, sent);
            cluster.kill("osd.1");   // now osd.0's recovered copies must serve too
            OsdCluster.awaitMap(admin, "osd.1 down", Duration.ofSeconds(60), m -> !m.osd(1).up());
            checkExactlyOnce(client, sent);
        }
    }

    private static void checkExactlyOnce(TestClient client, Map<String, List<String>> sent) throws Exception {
        for (Map.Entry<String, List<String>> e : sent.entrySet()) {
            MOSDOpReply r = client.op("p", e.getKey(), new OsdOp.Read(0, 0));
            assertThat(r.result()).as("read %s: %s", e.getKey(), r).isEqualTo(OsdResult.OK);
            String content = new String(((OpOutput.Data) r.results().get(0).output()).bytes(), StandardCharsets.UTF_8);
            assertThat(content).as("records of %s", e.getKey()).isEqualTo(String.join("", e.getValue()));
        }
    }
}
