package io.loligo.cli;

import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point, {@code ./loligo}. Each subcommand is a class of its own; this class only
 * wires them. Exit codes: 0 success, 1 operation failed, 2 bad usage.
 */
@Command(name = "loligo",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Loligo: a Ceph-style distributed storage system.")
public final class Main implements Runnable {
    /** Every subcommand, in the order --help lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(TrainCommand.class, CrushtoolCommand.class,
            ObjectstoreToolCommand.class, DaemonCommand.class, AdminCommands.Status.class, AdminCommands.Health.class,
            AdminCommands.Mon.class, AdminCommands.QuorumStatus.class, AdminCommands.Osd.class, AdminCommands.Pg.class,
            AdminCommands.Df.class, AdminCommands.Config.class, AdminCommands.Auth.class, UpCommand.class,
            DownCommand.class, PurgeCommand.class, RadosCommand.class, RgwCommand.class);

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code; used by tests to run commands in-process. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // Picocli builds its model of a command by reflection over all its options; doing that for
        // every subcommand cost ~0.2 s of each short command. Register only the one named, if any.
        Class<?> named = args.length > 0 ? find(args[0]) : null;
        for (Class<?> sub : named != null ? List.<Class<?>>of(named) : SUBCOMMANDS) {
            cli.addSubcommand(sub);
        }
        cli.setParameterExceptionHandler((ex, argv) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().getErr().println("try: loligo " + ex.getCommandLine().getCommandName() + " --help");
            return 2;
        });
        return cli.execute(args);
    }

    /** The subcommand class whose name or alias is {@code word}, or null. */
    static Class<?> find(String word) {
        for (Class<?> sub : SUBCOMMANDS) {
            Command c = sub.getAnnotation(Command.class);
            if (c.name().equals(word) || Arrays.asList(c.aliases()).contains(word)) {
                return sub;
            }
        }
        return null;
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
