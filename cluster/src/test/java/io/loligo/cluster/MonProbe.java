package io.loligo.cluster;

import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.msg.auth.Keyring;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot client run inside a host's namespace (so it reaches a monitor that the partition cut
 * off from everyone else): asks the monitor at HOST:PORT to commit {@code config set global NAME
 * VALUE} and prints one line, {@code committed}, {@code refused CODE OUTS} or {@code no-commit
 * REASON}, giving up after SECONDS. Usage: MonProbe KEYRING HOST:PORT NAME VALUE SECONDS.
 */
public final class MonProbe {
    private MonProbe() {}

    public static void main(String[] args) throws Exception {
        byte[] key = Keyring.load(Path.of(args[0])).lookup("client.admin").orElseThrow().key();
        int colon = args[1].lastIndexOf(':');
        InetSocketAddress mon = new InetSocketAddress(args[1].substring(0, colon), Integer.parseInt(args[1].substring(colon + 1)));
        CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> {
            try (MonConnection c = MonConnection.connect(List.of(mon), "client.admin", key)) {
                MonReply r = c.command(MonReply.json().createObjectNode().put("prefix", "config set").put("who", "global")
                        .put("name", args[2]).put("value", args[3]));
                return r.ok() ? "committed" : "refused " + r.code() + " " + r.outs();
            } catch (Exception e) {
                return "no-commit " + e;
            }
        });
        String line;
        try {
            line = outcome.get(Long.parseLong(args[4]), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            line = "no-commit no reply within " + args[4] + " s";
        }
        System.out.println(line);
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
