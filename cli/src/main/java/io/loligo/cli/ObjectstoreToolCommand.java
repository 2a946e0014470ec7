package io.loligo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code loligo objectstore-tool}. PLACEHOLDER: being written. */
@Command(name = "objectstore-tool", description = "Inspect, check and benchmark an OSD's local object store.")
public final class ObjectstoreToolCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("objectstore-tool: not written yet");
        return 1;
    }
}
