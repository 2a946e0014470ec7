package io.loligo.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loligo down}: stops the local cluster's daemons (OSDs first, then monitors) by their pid
 * files, signalling only processes whose command line is this cluster's daemon. Data stays;
 * {@code loligo up} restarts the same cluster.
 */
@Command(name = "down", description = "Stop the local cluster's daemons (data is kept; 'loligo up' restarts them).")
public final class DownCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "Cluster directory (default $LOLIGO_HOME, else ./.loligo).")
    Path dirOption;

    @Override
    public Integer call() throws IOException {
        LocalCluster lc = new LocalCluster(LocalCluster.defaultDir(dirOption));
        try {
            return stopAll(lc, true);
        } catch (LocalCluster.LocalClusterException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** Stops every daemon of the cluster in {@code lc}; exit code 0, or 1 when there is no cluster there. */
    static int stopAll(LocalCluster lc, boolean verbose) throws IOException, LocalCluster.LocalClusterException {
        Optional<LocalCluster.Layout> layout = lc.layout();
        if (layout.isEmpty()) {
            throw new LocalCluster.LocalClusterException("no loligo cluster in " + lc.dir + " (start one with: loligo up)");
        }
        List<String> names = new ArrayList<>();
        names.add("rgw.0");   // the S3 gateway first: it is a client of the rest (stopping a stopped one is a no-op)
        for (int i = layout.get().osds() - 1; i >= 0; i--) {
            names.add("osd." + i);
        }
        for (String m : layout.get().mons()) {
            names.add("mon." + m);
        }
        int stopped = 0;
        for (String name : names) {
            long pid = lc.stop(name, 20);
            if (pid > 0) {
                stopped++;
                if (verbose) {
                    LocalCluster.println(System.err, "  stopped " + name + " (pid " + pid + ")");
                }
            }
        }
        if (verbose) {
            LocalCluster.println(System.out, stopped == 0 ? "cluster in " + lc.dir + " was not running"
                    : "cluster in " + lc.dir + " stopped (" + stopped + " daemons); 'loligo up' restarts it");
        }
        return 0;
    }
}
