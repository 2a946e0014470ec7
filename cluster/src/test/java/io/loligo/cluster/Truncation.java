package io.loligo.cluster;

import io.loligo.cluster.Scenarios.Fault;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A truncated store under load. The object store preallocates its data file ({@code store/block},
 * every block at a fixed offset, its size recorded in the superblock) and checks that size when it
 * opens, so a data file cut short is found at start, before any read: the OSD refuses to start
 * with an error naming the file and both sizes, rather than serving reads of blocks that are
 * gone (docs/objectstore.md). That is what this scenario shows, and what the operator does next:
 * the cluster carries on with two copies (size 3, min_size 2) while the OSD is down, then the
 * disk is replaced (the OSD removed with {@code osd rm}, its directory wiped, a new OSD started
 * under the same id) and backfill brings the third copy back; nothing acknowledged is lost.
 */
final class Truncation {
    private Truncation() {}

    /** What the store says when its data file has the wrong size (BlockObjectStore.open). */
    static final String REFUSAL = "the superblock says";

    static Fault truncatedStoreRefusedAndReplaced() {
        return run -> {
            TestCluster c = run.cluster();
            List<Integer> candidates = new ArrayList<>();
            for (int o = 0; o < c.osdCount(); o++) {
                if (o != c.smallOsd) {
                    candidates.add(o);
                }
            }
            int osd = candidates.get(run.random.nextInt(candidates.size()));
            String name = "osd." + osd;
            c.kill(name);
            long t = run.now();
            Path block = c.dataDir(name).resolve("store").resolve("block");
            long size = Files.size(block);
            long blocks = size / 4096;
            long cut = (blocks / 4 + run.random.nextLong(blocks / 2)) * 4096;   // a quarter to three quarters kept
            try (FileChannel ch = FileChannel.open(block, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
                ch.force(true);
            }
            c.start(name);
            int code = c.awaitExit(name, Duration.ofSeconds(90));
            String log = c.logTail(name, 40);
            check(code != 0, name + " started on a truncated data file (exit " + code + "):\n" + log);
            String refusal = log.lines().filter(l -> l.contains(REFUSAL)).findFirst().orElse(null);
            check(refusal != null, name + " exited " + code + " without saying the data file is cut short:\n" + log);
            c.awaitMap(name + " marked down", Duration.ofSeconds(60), m -> !m.osd(osd).up());
            double resumed = run.awaitAllKeysProgress(t, Duration.ofSeconds(60));
            check(resumed >= 0, "IO did not continue on every key within 60 s with " + name + " refusing to start");
            run.hold();
            // The operator replaces the disk: remove the OSD, wipe it, create a new one under the same id.
            var rm = c.command(Duration.ofSeconds(60), "osd rm", "ids", String.valueOf(osd));
            check(rm.ok(), "osd rm " + osd + ": " + rm.outs());
            c.wipe(name);
            c.start(name);
            run.healed();
            c.awaitMap(name + " recreated and up", Duration.ofSeconds(120), m -> m.osd(osd) != null && m.osd(osd).up());
            run.note("%s data file cut from %d to %d MiB: refused to start (exit %d: \"%s\"); IO on every key within %.1f s;"
                    + " replaced (osd rm, wipe, new OSD) and backfilled", name, size >> 20, cut >> 20, code,
                    refusal.substring(Math.max(0, refusal.indexOf("data file"))), resumed);
        };
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }
}
