package io.loligo.cli;

import io.loligo.client.Cluster;
import io.loligo.rgw.RgwConfig;
import io.loligo.rgw.RgwServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loligo daemon rgw --id N --port P}: one S3 gateway in the foreground. It keeps no local
 * state (users, buckets and objects are in RADOS), so any number may serve one cluster; it stops
 * cleanly on SIGTERM. A taken port is a clear error (exit 1), not a stack trace.
 */
@Command(name = "rgw", description = "Run an S3 gateway: an HTTP service whose every piece of state lives in RADOS.")
public final class RgwDaemon implements Callable<Integer> {
    @Option(names = {"-i", "--id"}, required = true, description = "Gateway id, e.g. 0 (it runs as rgw.ID).")
    String id;

    @Option(names = {"-c", "--conf"}, description = "Cluster config file (default: $LOLIGO_CONF).")
    String conf;

    @Option(names = "--port", defaultValue = "7480", description = "TCP port (default 7480, radosgw's; 0: any free port).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default 127.0.0.1; 0.0.0.0 for all).")
    String bind;

    @Option(names = "--domain", description = "Virtual-hosted-style suffix: Host BUCKET.DOMAIN addresses BUCKET (default localhost).")
    String domain;

    @Option(names = "--log-dir", description = "Write the access log (one line per request) to DIR/rgw.ID.access.log (default: none).")
    Path logDir;

    @Option(names = {"-n", "--name"}, defaultValue = "client.admin", description = "Client entity to connect as (default client.admin).")
    String name;

    @Override
    public Integer call() throws Exception {
        Path c = DaemonCommand.confOrNull(conf);
        if (c == null) {
            return 2;
        }
        if (port < 0 || port > 65535) {
            System.err.println("error: --port " + port + " (expected: 0..65535)");
            return 2;
        }
        if (port > 0 && !LocalCluster.portFree(bind + ":" + port)) {
            System.err.println("error: rgw." + id + " cannot listen on " + bind + ":" + port
                    + ": the port is in use by another process (another gateway? choose one with --port)");
            return 1;
        }
        RgwConfig config = RgwConfig.defaults().withPort(port).withBind(bind);
        if (domain != null) {
            config = config.withDomain(domain);
        }
        if (logDir != null) {
            config = config.withLog(logDir, id);
        }
        Cluster cluster = Cluster.connect(c, name);
        RgwServer server;
        try {
            server = new RgwServer(config, cluster).start();
        } catch (Exception e) {   // Jetty's start declares Exception; a taken port is an IOException
            cluster.close();
            System.err.println("error: rgw." + id + " cannot start on " + bind + ":" + port + ": " + e.getMessage());
            return 1;
        }
        System.out.println("rgw." + id + " listening on http://" + bind + ":" + server.port());
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("rgw." + id + ": stopping: " + e);
            }
            cluster.close();
            stopped.countDown();
        }, "rgw-shutdown"));
        stopped.await();
        return 0;
    }
}
