package io.loligo.mon;

import io.loligo.maps.monc.ClusterConf;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java io.loligo.mon.MonMain --id a --conf FILE --data DIR}: runs one monitor in the
 * foreground until killed (the CLI's {@code loligo daemon mon} does the same). Exit 2 on bad usage
 * or configuration, 1 when the monitor cannot start.
 */
public final class MonMain {
    private MonMain() {}

    public static void main(String[] args) throws Exception {
        String id = null;
        String conf = System.getenv("LOLIGO_CONF");
        String data = null;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--id", "-i" -> id = v;
                case "--conf", "-c" -> conf = v;
                case "--data" -> data = v;
                default -> {
                    System.err.println("error: unknown argument '" + args[i] + "'; usage: MonMain --id NAME --conf FILE --data DIR");
                    System.exit(2);
                }
            }
            i++;
        }
        if (id == null || conf == null || data == null) {
            System.err.println("error: usage: MonMain --id NAME --conf FILE --data DIR");
            System.exit(2);
        }
        System.exit(run(id, Path.of(conf), Path.of(data)));
    }

    /** Runs a monitor until the JVM is asked to stop; returns the exit code. */
    public static int run(String id, Path confPath, Path data) throws InterruptedException {
        MonDaemon mon;
        try {
            String skew = io.loligo.common.WallClock.check();
            if (skew != null) {
                System.out.println("mon." + id + ": " + skew);
            }
            mon = new MonDaemon(id, ClusterConf.load(confPath), data);
            mon.start();
        } catch (ClusterConf.ConfException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("error: mon." + id + " failed to start: " + e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        MonDaemon m = mon;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                m.close();
            } catch (Exception e) {
                System.err.println("mon." + id + ": error while stopping: " + e);
            }
            stopped.countDown();
        }));
        System.out.println("mon." + id + " running");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
