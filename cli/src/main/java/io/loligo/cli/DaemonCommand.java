package io.loligo.cli;

import io.loligo.mon.MonMain;
import io.loligo.osd.OsdMain;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loligo daemon mon --id a --conf FILE --data DIR}: runs a daemon in the foreground.
 * Each daemon type is a subcommand class of its own ({@code daemon osd} is added beside {@link Mon}).
 */
@Command(name = "daemon", description = "Run a daemon (mon, osd, rgw) in the foreground.",
        subcommands = {DaemonCommand.Mon.class, DaemonCommand.Osd.class, RgwDaemon.class})
public final class DaemonCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** The daemon's config file: --conf, else $LOLIGO_CONF; null (after saying so) when neither is set. */
    static Path confOrNull(String conf) {
        String c = conf != null ? conf : System.getenv("LOLIGO_CONF");
        if (c == null || c.isEmpty()) {
            System.err.println("error: no config file: pass --conf FILE or set LOLIGO_CONF");
            return null;
        }
        return Path.of(c);
    }

    @Command(name = "mon", description = "Run a monitor: one member of the Raft quorum that owns the cluster maps.")
    public static final class Mon implements Callable<Integer> {
        @Option(names = {"-i", "--id"}, required = true, description = "Monitor name, e.g. a (its [mon.a] section).")
        String id;

        @Option(names = {"-c", "--conf"}, description = "Cluster config file (default: $LOLIGO_CONF).")
        String conf;

        @Option(names = "--data", required = true, description = "Data directory (Raft log and snapshots).")
        Path data;

        @Override
        public Integer call() throws Exception {
            Path c = confOrNull(conf);
            return c == null ? 2 : MonMain.run(id, c, data);
        }
    }

    @Command(name = "osd", description = "Run an OSD: stores objects in its data directory and serves the PGs CRUSH gives it.")
    public static final class Osd implements Callable<Integer> {
        @Option(names = {"-i", "--id"}, required = true, description = "OSD id, e.g. 0 (its [osd.0] section).")
        int id;

        @Option(names = {"-c", "--conf"}, description = "Cluster config file (default: $LOLIGO_CONF).")
        String conf;

        @Option(names = "--data", required = true, description = "Data directory (created with a new store on first start).")
        Path data;

        @Override
        public Integer call() throws Exception {
            Path c = confOrNull(conf);
            if (c == null) {
                return 2;
            }
            if (id < 0) {
                System.err.println("error: --id " + id + " (expected: 0+)");
                return 2;
            }
            return OsdMain.run(id, data, c);
        }
    }
}
