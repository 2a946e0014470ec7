package io.loligo.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.client.Cluster;
import io.loligo.rgw.store.RgwPools;
import io.loligo.rgw.store.UserInfo;
import io.loligo.rgw.store.UserStore;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The local cluster's S3 gateway ({@code rgw.0}): started by {@code loligo up} once the cluster is
 * healthy, on the port fixed when the cluster was created (7480, radosgw's, unless taken or chosen
 * with --rgw-port). The first start creates a first user, {@value #FIRST_USER}, whose keys {@code up}
 * prints with the endpoint.
 */
final class LocalGateway {
    static final String FIRST_USER = "loligo";
    static final int DEFAULT_PORT = 7480;

    /** Where S3 is and who may use it. */
    record Info(String endpoint, long pid, String uid, String accessKey, String secretKey) {
        ObjectNode json() {
            return LocalCluster.JSON.createObjectNode().put("endpoint", endpoint).put("pid", pid).put("user", uid)
                    .put("access_key", accessKey).put("secret_key", secretKey);
        }

        void print(PrintStream out) {
            out.println("  s3:        " + endpoint + "  (rgw.0 pid " + pid + ")");
            out.println("             user " + uid + ", access key " + accessKey + ", secret key " + secretKey);
        }

        void printTry(PrintStream out) {
            out.println("  export AWS_ACCESS_KEY_ID=" + accessKey + " AWS_SECRET_ACCESS_KEY=" + secretKey);
            out.println("  aws --endpoint-url " + endpoint + " s3 mb s3://demo && aws --endpoint-url " + endpoint
                    + " s3 cp README.md s3://demo/");
        }
    }

    private LocalGateway() {}

    /** The port a new cluster's gateway gets: the one asked for (it must be free), else 7480 when free, else any free one. */
    static int choosePort(Integer asked, PrintStream err) throws IOException, LocalCluster.LocalClusterException {
        if (asked != null) {
            if (!LocalCluster.portFree("127.0.0.1:" + asked)) {
                throw new LocalCluster.LocalClusterException("--rgw-port " + asked + ": 127.0.0.1:" + asked
                        + " is in use by another process (another gateway?); choose another port");
            }
            return asked;
        }
        if (LocalCluster.portFree("127.0.0.1:" + DEFAULT_PORT)) {
            return DEFAULT_PORT;
        }
        int port = LocalCluster.freePort();
        LocalCluster.println(err, "  note: 127.0.0.1:" + DEFAULT_PORT + " is in use; the S3 gateway gets 127.0.0.1:" + port
                + " (choose with --rgw-port)");
        return port;
    }

    /** Starts rgw.0 unless it runs, waits until it accepts connections, makes sure a first user exists. */
    static Info up(LocalCluster lc, LocalCluster.Layout layout, Map<String, Long> pids, long deadlineNanos,
            PrintStream err) throws Exception {
        LocalCluster.Daemon d = layout.rgw();
        Optional<ProcessHandle> running = lc.running(d.name());
        long pid;
        if (running.isPresent()) {
            pid = running.get().pid();
        } else {
            if (!LocalCluster.portFree(d.addr())) {
                throw new LocalCluster.LocalClusterException("rgw.0 cannot start: its port " + d.addr()
                        + " is in use by another process (another gateway? stop it, or free the port)");
            }
            pid = lc.start(d);
            LocalCluster.println(err, String.format("  started %-6s pid %-7d %s", d.name(), pid, d.addr()));
        }
        pids.put(d.name(), pid);
        awaitListening(lc, d, pid, deadlineNanos);
        try (Cluster cluster = Cluster.connect(lc.conf(), "client.admin")) {
            UserStore users = new UserStore(RgwPools.open(cluster));
            List<String> uids = users.list();
            UserInfo first;
            if (uids.isEmpty()) {
                first = users.create(null, FIRST_USER, "Loligo first user", null, null, null);
                LocalCluster.println(err, "  created S3 user '" + FIRST_USER + "' (more: ./loligo rgw user create --help)");
            } else {
                first = users.info(FIRST_USER).orElseGet(() -> users.require(uids.get(0)));
            }
            UserInfo.AccessKey key = first.keys().isEmpty() ? new UserInfo.AccessKey("", "") : first.keys().get(0);
            return new Info("http://" + d.addr(), pid, first.uid(), key.accessKey(), key.secretKey());
        }
    }

    private static void awaitListening(LocalCluster lc, LocalCluster.Daemon d, long pid, long deadlineNanos)
            throws Exception {
        int colon = d.addr().lastIndexOf(':');
        InetSocketAddress addr = new InetSocketAddress(d.addr().substring(0, colon), Integer.parseInt(d.addr().substring(colon + 1)));
        while (System.nanoTime() < deadlineNanos) {
            if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                String log = LocalCluster.read(lc.logFile(d.name()));
                String tail = log.lines().skip(Math.max(0, log.lines().count() - 15)).reduce("", (a, b) -> a + "\n    " + b);
                throw new LocalCluster.LocalClusterException(d.name() + " (pid " + pid + ") exited; last lines of "
                        + lc.logFile(d.name()) + ":" + tail);
            }
            try (Socket s = new Socket()) {
                s.connect(addr, 1000);
                return;
            } catch (IOException e) {
                Thread.sleep(100);   // poll interval of a deadline-bounded wait
            }
        }
        throw new LocalCluster.LocalClusterException(d.name() + " did not listen on " + d.addr() + " in time; see "
                + lc.logFile(d.name()));
    }
}
