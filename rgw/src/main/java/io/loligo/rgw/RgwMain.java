package io.loligo.rgw;

import io.loligo.client.Cluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one gateway in the foreground: {@code --conf FILE --id N --port P [--bind ADDR] [--domain D]
 * [--name client.X]}. Connects as {@code --name} (default client.admin; radosgw uses client.rgw.N
 * when the keyring has it) and serves until killed.
 */
public final class RgwMain {
    private RgwMain() {}

    public static void main(String[] args) throws Exception {
        Path conf = null;
        String id = "0";
        String name = null;
        RgwConfig config = RgwConfig.defaults();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("option " + a + " needs a value");
            }
            String v = args[++i];
            try {
                switch (a) {
                    case "--conf" -> conf = Path.of(v);
                    case "--id" -> id = v;
                    case "--port" -> config = config.withPort(Integer.parseInt(v));
                    case "--bind" -> config = config.withBind(v);
                    case "--domain" -> config = config.withDomain(v);
                    case "--name" -> name = v;
                    default -> usage("unknown option " + a);
                }
            } catch (IllegalArgumentException e) {
                usage(a + " " + v + ": " + e.getMessage());
            }
        }
        if (conf == null || !Files.isRegularFile(conf)) {
            usage("--conf FILE is required and must exist (got " + conf + ")");
        }
        Cluster cluster = Cluster.connect(conf, name == null ? "client.admin" : name);
        RgwServer server = new RgwServer(config, cluster).start();
        System.out.println("rgw." + id + " listening on " + config.bindAddress() + ":" + server.port());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                // shutting down: nothing left to tell
            }
            cluster.close();
            stop.countDown();
        }));
        stop.await();
    }

    private static void usage(String why) {
        System.err.println("rgw: " + why + "\nusage: RgwMain --conf FILE --id N --port P [--bind ADDR] [--domain D] [--name client.X]");
        System.exit(2);
    }
}
