package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.maps.monc.MonConnection;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A full OSD refuses writes cleanly and stays up: with 3 MiB stores, 16 KiB writes eventually get
 * ENOSPC (never a crash), every acknowledged object stays readable, deletes still succeed, and
 * once they freed space writes are accepted again.
 */
class FullOsdTest {
    @Test
    void fullOsdRefusesWritesKeepsReadsAndDeletes() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of(), Map.of("osd_block_file_bytes", String.valueOf(3 << 20)))) {
            try {
                run(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(), t);
            }
        }
    }

    private void run(OsdCluster cluster) throws Exception {
        MonConnection admin = cluster.startWithPool(3);
        try (TestClient client = new TestClient(cluster, "client.admin")) {
            SplittableRandom random = new SplittableRandom(5);
            Map<String, byte[]> acked = new LinkedHashMap<>();
            MOSDOpReply refused = null;
            for (int i = 0; i < 400 && refused == null; i++) {
                byte[] data = new byte[16 << 10];
                random.nextBytes(data);
                MOSDOpReply r = client.op("p", "fill-" + i, new OsdOp.WriteFull(data),
                        new OsdOp.SetXattr("len", String.valueOf(data.length).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                if (r.result() == OsdResult.OK) {
                    acked.put("fill-" + i, data);
                } else {
                    refused = r;
                }
            }
            assertThat(refused).as("a write was refused before 400 x 16 KiB filled 3 MiB").isNotNull();
            assertThat(refused.result()).as(refused.toString()).isEqualTo(OsdResult.ENOSPC);
            for (var p : cluster.procs.entrySet()) {
                assertThat(p.getValue().isAlive()).as("%s still running", p.getKey()).isTrue();
            }
            List<String> names = new ArrayList<>(acked.keySet());
            for (String name : names.subList(0, Math.min(40, names.size()))) {
                assertThat(client.op("p", name, new OsdOp.Remove()).result()).as("delete %s on a full cluster", name)
                        .isEqualTo(OsdResult.OK);
                acked.remove(name);
            }
            OsdClusterTest.checkAll(client, acked);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int accepted = -1;
            while (accepted != OsdResult.OK && System.nanoTime() < deadline) {
                accepted = client.op("p", "after", new OsdOp.WriteFull(new byte[1024])).result();
                Thread.sleep(100);   // the OSDs see freed space on their next statfs
            }
            assertThat(accepted).as("writes accepted again after deletes").isEqualTo(OsdResult.OK);
        }
    }
}
