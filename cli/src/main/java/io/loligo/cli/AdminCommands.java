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
            + "crush ...|set|unset|getcrushmap|setcrushmap|pool ...")
    public static final class Osd extends AdminCommand {}

    @Command(name = "pg", description = "Placement groups: pg stat, pg dump.")
    public static final class Pg extends AdminCommand {}

    @Command(name = "df", description = "Cluster and pool usage.")
    public static final class Df extends AdminCommand {}

    @Command(name = "config", description = "The central config store: config set|get|dump|rm.")
    public static final class Config extends AdminCommand {}

    @Command(name = "auth", description = "The auth database: auth get-or-create|get|ls|rm|caps.")
    public static final class Auth extends AdminCommand {}
}
