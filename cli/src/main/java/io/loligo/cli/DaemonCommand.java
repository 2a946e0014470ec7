package io.loligo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code loligo daemon}. PLACEHOLDER: being written. */
@Command(name = "daemon", description = "Run a daemon (mon, osd) in the foreground.")
public final class DaemonCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("daemon: not written yet");
        return 1;
    }
}
