package io.loligo.cli;

import io.loligo.crush.CrushMap;
import io.loligo.crush.CrushMapper;
import io.loligo.crush.placement.OsdStates;
import io.loligo.crush.placement.Placement;
import io.loligo.crush.placement.PoolPlacement;
import io.loligo.crush.text.CrushText;
import io.loligo.maps.monc.MonReply;
import io.loligo.maps.proto.MonMessages;
import io.loligo.maps.proto.MonMessages.MonCommand;
import io.loligo.maps.proto.MonMessages.MonCommandReply;
import io.loligo.msg.Connection;
import io.loligo.msg.MessengerServer;
import io.loligo.msg.ServerOptions;
import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.Keyring;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;

/**
 * The AOT training run (hidden): {@code ./loligo} runs it once after each build with
 * {@code -XX:AOTCacheOutput}, so the classes a typical short command loads (picocli, Jackson,
 * Netty and the messenger with its handshake, the monitor protocol, CRUSH and placement) are
 * already parsed and linked when a real command starts. It talks only to a messenger server it
 * starts itself on loopback, and stops it.
 */
@Command(name = "__train", hidden = true, description = "AOT cache training run (used by ./loligo after a build).")
public final class TrainCommand implements Callable<Integer> {
    private static final String MAP = """
            device 0 osd.0
            device 1 osd.1
            device 2 osd.2
            type 0 osd
            type 1 host
            type 11 root
            host h0 {
            \tid -2
            \talg straw2
            \thash 0
            \titem osd.0 weight 1.000
            }
            host h1 {
            \tid -3
            \talg straw2
            \thash 0
            \titem osd.1 weight 1.000
            }
            host h2 {
            \tid -4
            \talg straw2
            \thash 0
            \titem osd.2 weight 1.000
            }
            root default {
            \tid -1
            \talg straw2
            \thash 0
            \titem h0 weight 1.000
            \titem h1 weight 1.000
            \titem h2 weight 1.000
            }
            rule replicated_rule {
            \tid 0
            \ttype replicated
            \tmin_size 1
            \tmax_size 10
            \tstep take default
            \tstep chooseleaf firstn 0 type host
            \tstep emit
            }
            """;

    @Override
    public Integer call() throws Exception {
        CrushMap map = CrushText.parse(MAP);
        CrushText.print(map);
        Placement placement = new Placement(new CrushMapper(map));
        PoolPlacement pool = PoolPlacement.replicated(1, 3, 32, 0);
        placement.map(pool, Placement.objectToPg(pool, "", "training"), OsdStates.allUpIn(3));

        byte[] key = Base64.getDecoder().decode(Keyring.generateKey());
        EntityKey entity = new EntityKey(key, Map.of("mon", "allow *"));
        MessengerServer server = MessengerServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                name -> name.equals("client.admin") ? Optional.of(entity) : Optional.empty(),
                (session, request) -> CompletableFuture.completedFuture(
                        new MonCommandReply(new String(MonReply.ok("trained", MonReply.json().createObjectNode(), 1).toBytes(),
                                java.nio.charset.StandardCharsets.UTF_8))),
                MonMessages.registry(), ServerOptions.defaults("mon.a"));
        try (Connection c = Connection.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()),
                "client.admin", key, MonMessages.registry())) {
            String cmd = MonReply.json().writeValueAsString(Map.of("prefix", "status", "format", "json"));
            MonCommandReply reply = c.call(new MonCommand(cmd), MonCommandReply.class, Duration.ofSeconds(10)).join();
            MonReply.fromBytes(reply.json().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            server.close();
        }
        return 0;
    }
}
