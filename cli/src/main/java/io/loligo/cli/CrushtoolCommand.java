package io.loligo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code loligo crushtool}: Ceph's crushtool, output byte-identical. PLACEHOLDER: being written. */
@Command(name = "crushtool", description = "Test, compile and decompile CRUSH maps, as Ceph's crushtool.")
public final class CrushtoolCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("crushtool: not written yet");
        return 1;
    }
}
