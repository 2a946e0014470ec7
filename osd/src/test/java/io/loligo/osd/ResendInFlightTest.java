package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.placement.PgMapping;
import io.loligo.maps.OsdMap;
import io.loligo.maps.Pool;
import io.loligo.maps.monc.MonConnection;
import io.loligo.messages.MOSDOp;
import io.loligo.messages.MOSDOpReply;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.messages.ReqId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client resends a write (same reqid) while the first attempt is still in flight because a
 * replica is stopped (SIGSTOP). The primary must not answer the resend from its PG log before every
 * acting member holds the write: it used to, and a new interval then rolled the entry back as
 * divergent, losing an acknowledged append (chaos slow-network seed 779100742675337919). Any answer
 * that arrives while the replica is stopped must therefore come from a later map (the replica marked
 * down, the PG re-peered without it); once it runs again, the append is there exactly once.
 */
class ResendInFlightTest {

    @Test
    void slowNetwork779100742675337919_resendOfAnInFlightWriteWaitsUntilEveryMemberHasIt() throws Exception {
        try (OsdCluster cluster = new OsdCluster(3, Map.of())) {
            try {
                run(cluster);
            } catch (Throwable t) {
                throw new AssertionError(t.getMessage() + "\n" + cluster.logs(), t);
            }
        }
    }

    private void run(OsdCluster cluster) throws Exception {
        MonConnection admin = cluster.startWithPool(3);
        OsdCluster.awaitPgStates(admin, "active+clean", 8, Duration.ofSeconds(90));
        try (TestClient client = new TestClient(cluster, "client.admin")) {
            String name = "resent";
            assertThat(client.op("p", name, new OsdOp.Append("a,".getBytes(StandardCharsets.UTF_8))).result())
                    .isEqualTo(OsdResult.OK);
            OsdMap map = client.mon.osdMap();
            Pool pool = map.poolByName("p");
            PgMapping mapping = map.placement().mapObject(pool, "", name);
            int primary = mapping.actingPrimary();
            int replica = java.util.Arrays.stream(mapping.acting()).filter(o -> o != primary).findFirst().orElseThrow();
            Process stopped = cluster.procs.get("osd." + replica);
            long epoch = map.epoch();
            signal(stopped, "STOP");
            try {
                ReqId reqid = client.newReqid();
                int hash = map.placement().objectHash(pool, "", name);
                List<OsdOp> ops = List.of(new OsdOp.Append("b,".getBytes(StandardCharsets.UTF_8)));
                String address = map.osd(primary).address();
                // Same connection, so the primary takes the first before the resend.
                CompletableFuture<MOSDOpReply> first = callAsync(client, address, new MOSDOp(reqid, pool.id(), "", name,
                        hash, mapping.pg().seed(), epoch, 0, ops, 0, List.of(), MOSDOp.SNAP_HEAD));
                CompletableFuture<MOSDOpReply> resend = callAsync(client, address, new MOSDOp(reqid, pool.id(), "", name,
                        hash, mapping.pg().seed(), epoch, MOSDOp.FLAG_RESEND, ops, 0, List.of(), MOSDOp.SNAP_HEAD));
                // Each call ends in a reply or the client's call timeout; the replica stays stopped meanwhile.
                for (var attempt : List.of(first, resend)) {
                    MOSDOpReply r = replyOrNull(attempt);
                    if (r != null && r.result() == OsdResult.OK) {
                        assertThat(r.mapEpoch()).as("an OK (%s) while osd.%d, acting in e%d, is stopped and lacks the"
                                + " write: only a later interval without it may answer", r, replica, epoch)
                                .isGreaterThan(epoch);
                    }
                }
            } finally {
                signal(stopped, "CONT");
            }
            MOSDOpReply read = client.op("p", name, new OsdOp.Read(0, 0));
            assertThat(read.result()).as("read: %s", read).isEqualTo(OsdResult.OK);
            assertThat(new String(((OpOutput.Data) read.results().get(0).output()).bytes(), StandardCharsets.UTF_8))
                    .as("the resent append applied exactly once").isEqualTo("a,b,");
        }
    }

    private static CompletableFuture<MOSDOpReply> callAsync(TestClient client, String address, MOSDOp op) {
        CompletableFuture<MOSDOpReply> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(client.call(address, op));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** The reply, or null when the call failed (timed out, connection lost). */
    private static MOSDOpReply replyOrNull(CompletableFuture<MOSDOpReply> f) throws InterruptedException {
        try {
            return f.get(TestClient.CALL_TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        }
    }

    private static void signal(Process p, String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + sig, String.valueOf(p.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", sig, p.pid()).isZero();
    }
}
