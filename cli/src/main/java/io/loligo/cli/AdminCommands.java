package io.loligo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Placeholder holder for the cluster admin commands (status, health, osd ..., mon ...); the monitor
 * work replaces this with real top-level commands registered in {@link Main}. PLACEHOLDER.
 */
@Command(name = "admin", hidden = true, description = "Cluster administration (being written).")
public final class AdminCommands implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("admin commands: not written yet");
        return 1;
    }
}
