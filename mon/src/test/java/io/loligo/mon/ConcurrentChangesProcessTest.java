package io.loligo.mon;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.maps.monc.ClusterConf;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.mon.client.MonClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 200 map changes from 4 messenger clients (spread over the monitors, which forward to the
 * leader) on 8 threads against 3 monitor processes all land, each in its own epoch; meanwhile 50 subscribers (messenger sessions spread over the monitors) follow the OSD
 * map by pushed incrementals and all converge on the last epoch with a map byte-identical to the
 * monitors'.
 */
class ConcurrentChangesProcessTest {
    @Test
    void concurrentChangesEachGetTheirOwnEpochAndSubscribersConverge() throws Exception {
        try (MonCluster cluster = new MonCluster(3, Map.of("mon_raft_snapshot_every", "64"))) {
            cluster.startAll();
            List<MonClient> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                clients.add(cluster.client());
            }
            long start = MonCluster.retry(clients.get(0), MonClient.cmd("osd stat"), Duration.ofSeconds(60)).epoch();
            ClusterConf conf = ClusterConf.load(cluster.confPath);
            List<MonConnection> writers4 = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                writers4.add(connect(conf));
            }
            List<MonConnection> subs = new ArrayList<>();
            List<AtomicInteger> updates = new ArrayList<>();
            ExecutorService writers = Executors.newFixedThreadPool(8);
            try {
                for (int i = 0; i < 50; i++) {
                    MonConnection s = connect(conf);
                    AtomicInteger n = new AtomicInteger();
                    s.subscribe(m -> n.incrementAndGet());
                    subs.add(s);
                    updates.add(n);
                }
                MonCluster.await("50 subscribers hold a map", Duration.ofSeconds(60),
                        () -> subs.stream().allMatch(s -> s.osdMap() != null));
                Set<Long> epochs = ConcurrentHashMap.newKeySet();
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    done.add(writers.submit(() -> {
                        MonConnection c = writers4.get(thread % writers4.size());
                        for (int i = 0; i < 25; i++) {
                            MonReply r = c.command(MonClient.cmd("osd pool create", "pool", "t" + thread + "-" + i, "pg_num", 8));
                            assertThat(r.code()).as(r.outs()).isZero();
                            assertThat(epochs.add(r.epoch())).as("epoch %d given twice", r.epoch()).isTrue();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                long last = start + 200;
                assertThat(epochs).hasSize(200);
                assertThat(clients.get(0).command(MonClient.cmd("osd stat")).epoch()).isEqualTo(last);
                assertThat(clients.get(1).command(MonClient.cmd("osd pool ls")).data()).hasSize(200);

                MonCluster.await("50 subscribers at e" + last, Duration.ofSeconds(60),
                        () -> subs.stream().allMatch(s -> s.osdMap().epoch() == last));
                byte[] truth = Base64.getDecoder().decode(
                        clients.get(0).command(MonClient.cmd("osd getmap", "since", 0)).data().path("full").asText());
                for (int i = 0; i < subs.size(); i++) {
                    assertThat(subs.get(i).osdMap().encode()).as("subscriber %d", i).isEqualTo(truth);
                    assertThat(updates.get(i).get()).as("subscriber %d advanced by pushed incrementals", i).isGreaterThan(1);
                }
            } finally {
                subs.forEach(MonConnection::close);
                writers4.forEach(MonConnection::close);
                writers.shutdownNow();
            }
        }
    }

    /** Connects once the bootstrapped monitors know client.admin (deadline-bounded). */
    static MonConnection connect(ClusterConf conf) throws Exception {
        MonConnection[] out = new MonConnection[1];
        MonCluster.await("a monitor session", Duration.ofSeconds(30), () -> {
            try {
                out[0] = MonConnection.connect(conf, "client.admin");
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        return out[0];
    }
}
