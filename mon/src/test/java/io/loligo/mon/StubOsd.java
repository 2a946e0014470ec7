package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.mon.client.MonClient;
import io.loligo.maps.monc.MonConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in OSD process for monitor tests (the OSD work replaces it): boots (marked up, placed in
 * CRUSH under its host), heartbeats its peers over TCP, reports peers silent for longer than the
 * grace to the monitors, sends beacons to the monitors, and boots again when it sees itself wrongly marked down.
 * <pre>java io.loligo.mon.StubOsd ID HOST KEY_BASE64 MON_ADDR[,MON_ADDR...]</pre>
 */
public final class StubOsd {
    static final long HEARTBEAT_MS = 200;
    static final long GRACE_MS = 4000;   // generous: test machines are busy, and a false report flaps the OSD
    static final long BEACON_MS = 500;

    public static void main(String[] args) throws Exception {
        int id = Integer.parseInt(args[0]);
        String host = args[1];
        byte[] key = Base64.getDecoder().decode(args[2]);
        List<InetSocketAddress> mons = new ArrayList<>();
        for (String m : args[3].split(",")) {
            mons.add(new InetSocketAddress("127.0.0.1", Integer.parseInt(m.substring(m.lastIndexOf(':') + 1))));
        }
        ServerSocket heartbeat = new ServerSocket(0);
        Thread.ofVirtual().start(() -> {
            while (true) {
                try (Socket s = heartbeat.accept()) {
                    s.getOutputStream().write(1);
                } catch (IOException e) {
                    return;
                }
            }
        });
        String addr = "127.0.0.1:" + heartbeat.getLocalPort();
        MonConnection mon = MonConnection.connect(mons, "osd." + id, key);
        Runnable boot = () -> {
            try {
                MonReply r = mon.command(MonClient.cmd("osd boot", "id", id, "uuid", "stub-uuid-" + id, "addr", addr,
                        "host", host, "capacity", 1L << 40));
                System.out.println("osd." + id + " boot: " + r.code() + " " + r.outs() + " e" + r.epoch());
            } catch (IOException e) {
                System.out.println("osd." + id + " boot failed: " + e.getMessage());
            }
        };
        boot.run();
        mon.subscribe(m -> { });
        Map<Integer, Long> lastHeard = new ConcurrentHashMap<>();
        long lastBoot = System.currentTimeMillis();
        long lastBeacon = 0;
        while (true) {
            Thread.sleep(HEARTBEAT_MS);   // the heartbeat period
            if (System.currentTimeMillis() - lastBeacon >= BEACON_MS) {
                lastBeacon = System.currentTimeMillis();
                Thread.ofVirtual().start(() -> {
                    try {
                        mon.command(MonClient.cmd("osd beacon", "osd", id));
                    } catch (IOException e) {
                        System.out.println("osd." + id + " beacon failed: " + e.getMessage());
                    }
                });
            }
            OsdMap map = mon.osdMap();
            if (map == null) {
                continue;
            }
            long now = System.currentTimeMillis();
            OsdState self = map.osd(id);
            if ((self == null || !self.up()) && now - lastBoot > 1000) {
                System.out.println("osd." + id + " marked down in e" + map.epoch() + " but alive: booting again");
                lastBoot = now;
                Thread.ofVirtual().start(boot);
            }
            for (OsdState peer : map.osds().values()) {
                if (peer.id() == id || !peer.up() || peer.address().isEmpty()) {
                    continue;
                }
                lastHeard.putIfAbsent(peer.id(), now);
                if (ping(peer.address())) {
                    lastHeard.put(peer.id(), now);
                } else if (now - lastHeard.get(peer.id()) > GRACE_MS) {
                    Thread.ofVirtual().start(() -> report(mon, peer.id(), id));
                }
            }
        }
    }

    static boolean ping(String address) {
        int colon = address.lastIndexOf(':');
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))), 1000);
            s.setSoTimeout(1000);
            return s.getInputStream().read() == 1;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static void report(MonConnection mon, int target, int reporter) {
        try {
            MonReply r = mon.command(MonClient.cmd("osd failure", "target", target, "reporter", reporter, "failed", true));
            System.out.println("osd." + reporter + " reported osd." + target + ": " + r.outs());
        } catch (IOException e) {
            System.out.println("osd." + reporter + " failed to report osd." + target + ": " + e.getMessage());
        }
    }
}
