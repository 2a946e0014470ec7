package io.loligo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loligo purge}: stops the local cluster and deletes its directory: data, keys, config and
 * logs. Refuses a directory without the cluster marker, so it never deletes anything else.
 */
@Command(name = "purge", description = "Stop the local cluster and delete its directory (data, keys, config, logs).")
public final class PurgeCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "Cluster directory (default $LOLIGO_HOME, else ./.loligo).")
    Path dirOption;

    @Override
    public Integer call() throws IOException {
        LocalCluster lc = new LocalCluster(LocalCluster.defaultDir(dirOption));
        if (!Files.exists(lc.dir)) {
            System.out.println("nothing to purge: " + lc.dir + " does not exist");
            return 0;
        }
        try {
            DownCommand.stopAll(lc, false);
        } catch (LocalCluster.LocalClusterException e) {
            System.err.println("error: " + e.getMessage() + "; not deleting a directory that is not a loligo cluster");
            return 1;
        }
        lc.delete();
        System.out.println("purged " + lc.dir);
        return 0;
    }
}
