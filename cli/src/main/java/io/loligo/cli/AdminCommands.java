package io.loligo.cli;

import io.loligo.cli.admin.AdminCommand;
import picocli.CommandLine.Command;

/**
 * The cluster admin commands, one picocli class per first word as Ceph's CLI groups them
 * ({@code loligo osd pool ls}, {@code loligo health detail}); their words are matched against
 * {@link io.loligo.cli.admin.CommandTable}. Each is registered in {@link Main}.
 */
public final class AdminCommands {
    private AdminCommands() {}

    @Command(name = "status", description = "Cluster status, like 'ceph -s'.")
    public static final class Status extends AdminCommand {}

    @Command(name = "health", description = "HEALTH_OK / HEALTH_WARN / HEALTH_ERR; 'health detail' says what to do.")
    public static final class Health extends AdminCommand {}

    @Command(name = "mon", description = "Monitors: mon stat.")
    public static final class Mon extends AdminCommand {}

    @Command(name = "quorum_status", description = "The monitor quorum (JSON, as Ceph prints it).")
    public static final class QuorumStatus extends AdminCommand {
        @Override
        public Integer call() {
            if ("plain".equals(format)) {
                format = "json-pretty";
            }
            return super.call();
        }
    }

    @Command(name = "osd", description = "OSDs, pools and CRUSH: osd tree|dump|stat|df|map|out|in|down|rm|reweight|"
            + "crush ...|set|unset|getcrushmap|setcrushmap|pool ...|scrub|deep-scrub|repair ID|all")
    public static final class Osd extends AdminCommand {
        @Override
        public Integer call() {
            if (words.size() == 2 && ScrubCli.VERBS.contains(words.getFirst())) {
                return ScrubCli.osd(confPath(), name, words, spec.commandLine().getOut(), spec.commandLine().getErr());
            }
            return super.call();
        }
    }

    @Command(name = "pg", description = "Placement groups: pg stat, pg dump, pg scrub|deep-scrub|repair PGID.")
    public static final class Pg extends AdminCommand {
        @Override
        public Integer call() {
            if (!words.isEmpty() && ScrubCli.VERBS.contains(words.getFirst())) {
                return ScrubCli.pg(confPath(), name, words, spec.commandLine().getOut(), spec.commandLine().getErr());
            }
            return super.call();
        }
    }

    @Command(name = "df", description = "Cluster and pool usage.")
    public static final class Df extends AdminCommand {}

    @Command(name = "config", description = "The central config store: config set|get|dump|rm.")
    public static final class Config extends AdminCommand {}

    @Command(name = "auth", description = "The auth database: auth get-or-create|get|ls|rm|caps.")
    public static final class Auth extends AdminCommand {}
}
