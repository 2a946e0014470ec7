package io.loligo.osd;

import io.loligo.maps.monc.ClusterConf;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The OSD process: {@code OsdMain --id N --data DIR --conf FILE}. Runs until killed; SIGTERM closes
 * the daemon cleanly. Exit codes: 0 stopped, 2 bad usage, 1 failed to start.
 */
public final class OsdMain {
    private OsdMain() {}

    public static void main(String[] args) throws Exception {
        Integer id = null;
        Path data = null;
        Path conf = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("missing value after " + a);
            }
            switch (a) {
                case "--id" -> id = parseId(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--conf" -> conf = Path.of(args[++i]);
                default -> usage("unknown argument " + a);
            }
        }
        if (id == null || data == null || conf == null) {
            usage("--id, --data and --conf are required");
        }
        System.exit(run(id, data, conf));
    }

    /** Starts the OSD and blocks until the JVM shuts down; returns the exit code when it could not start. */
    public static int run(int id, Path data, Path confPath) throws InterruptedException {
        OsdDaemon daemon;
        try {
            String skew = io.loligo.common.WallClock.check();
            if (skew != null) {
                System.out.println("osd." + id + ": " + skew);
            }
            ClusterConf conf = ClusterConf.load(confPath);
            daemon = OsdDaemon.start(OsdConfig.from(id, data, conf));
        } catch (ClusterConf.ConfException | IllegalArgumentException e) {
            System.err.println("osd." + id + ": " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println("osd." + id + ": failed to start: " + e);
            e.printStackTrace();
            return 1;
        }
        System.out.println("osd." + id + " up at " + daemon.address());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    private static int parseId(String s) {
        try {
            int id = Integer.parseInt(s);
            if (id < 0) {
                usage("--id " + s + " (expected: 0+)");
            }
            return id;
        } catch (NumberFormatException e) {
            usage("--id " + s + " is not a number");
            return -1;
        }
    }

    private static void usage(String problem) {
        System.err.println("osd: " + problem + "\nusage: osd --id N --data DIR --conf FILE");
        System.exit(2);
    }
}
