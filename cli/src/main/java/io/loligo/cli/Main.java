package io.loligo.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point, {@code ./loligo}. Each subcommand is a class of its own; this class only
 * wires them. Exit codes: 0 success, 1 operation failed, 2 bad usage.
 */
@Command(name = "loligo",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Loligo: a Ceph-style distributed storage system.",
        subcommands = {TrainCommand.class, CrushtoolCommand.class, ObjectstoreToolCommand.class, DaemonCommand.class, AdminCommands.Status.class, AdminCommands.Health.class, AdminCommands.Mon.class, AdminCommands.QuorumStatus.class, AdminCommands.Osd.class, AdminCommands.Pg.class, AdminCommands.Df.class, AdminCommands.Config.class, AdminCommands.Auth.class, UpCommand.class, DownCommand.class, PurgeCommand.class, RadosCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code; used by tests to run commands in-process. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((ex, argv) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().getErr().println("try: loligo " + ex.getCommandLine().getCommandName() + " --help");
            return 2;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"loligo " + (v == null ? "dev" : v)};
        }
    }
}
