package io.loligo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loligo.osd.objectstore.BlockObjectStore;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.Fsck;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.objectstore.StoreBench;
import io.loligo.osd.objectstore.StoreException;
import io.loligo.osd.objectstore.StoreOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code loligo objectstore-tool --data DIR <command>}: inspect, check and benchmark an OSD's local
 * object store (Ceph's ceph-objectstore-tool and ceph-bluestore-tool fsck). Objects are named
 * {@code POOL:[NAMESPACE/]NAME@HASH} (hash in hex, as {@code list} prints them), collections
 * {@code POOL.SEEDHEX} (a {@code _head} suffix is accepted). Exit codes: 0 success, 1 the operation
 * failed or fsck found errors, 2 bad usage.
 */
@Command(name = "objectstore-tool", mixinStandardHelpOptions = true,
        description = "Inspect, check and benchmark an OSD's local object store.",
        subcommands = {ObjectstoreToolCommand.Mkfs.class, ObjectstoreToolCommand.ListCmd.class,
                ObjectstoreToolCommand.Stat.class, ObjectstoreToolCommand.Get.class, ObjectstoreToolCommand.FsckCmd.class,
                ObjectstoreToolCommand.Bench.class})
public final class ObjectstoreToolCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "The store's directory.")
    Path data;

    @Override
    public Integer call() {
        System.err.println("objectstore-tool: name a command: mkfs, list, stat, get, fsck, bench (see --help)");
        return 2;
    }

    private static final Pattern OID = Pattern.compile("(-?\\d+):(?:([^/@]*)/)?(.+)@([0-9a-fA-F]{1,8})");
    private static final Pattern COLL = Pattern.compile("(-?\\d+)\\.([0-9a-fA-F]+)(?:_head)?");

    static ObjectId parseOid(String s) {
        Matcher m = OID.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("object '" + s + "': expected POOL:[NAMESPACE/]NAME@HASHHEX, as list prints");
        }
        return new ObjectId(Long.parseLong(m.group(1)), m.group(2) == null ? "" : m.group(2), m.group(3),
                (int) Long.parseLong(m.group(4), 16));
    }

    static CollectionId parseColl(String s) {
        Matcher m = COLL.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("collection '" + s + "': expected POOL.SEEDHEX, e.g. 1.2a");
        }
        return new CollectionId(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2), 16));
    }

    /** Opens the store, runs {@code body}, closes it; maps errors to exit codes with a clear message. */
    int withStore(StoreCall body) {
        try (BlockObjectStore store = BlockObjectStore.open(data, StoreOptions.defaults())) {
            return body.run(store);
        } catch (IllegalArgumentException | StoreException e) {
            System.err.println("objectstore-tool: " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        } catch (Exception e) {
            System.err.println("objectstore-tool: " + e);
            return 1;
        }
    }

    interface StoreCall {
        int run(BlockObjectStore store) throws Exception;
    }

    @Command(name = "mkfs", description = "Create an empty store in --data.")
    static final class Mkfs implements Callable<Integer> {
        @ParentCommand
        ObjectstoreToolCommand tool;

        @Option(names = "--size-mib", defaultValue = "1024", description = "Data file size in MiB (default ${DEFAULT-VALUE}).")
        long sizeMib;

        @Override
        public Integer call() throws IOException {
            try {
                BlockObjectStore.mkfs(tool.data, StoreOptions.defaults().withBlockFileBytes(sizeMib << 20));
                System.out.println("created an object store in " + tool.data + " with a " + sizeMib + " MiB data file");
                return 0;
            } catch (StoreException e) {
                System.err.println("objectstore-tool mkfs: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "list", description = "List collections, or the objects of one (in hash order).")
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand
        ObjectstoreToolCommand tool;

        @Option(names = "--coll", description = "Collection, e.g. 1.2a; without it, list the collections.")
        String coll;

        @Override
        public Integer call() {
            return tool.withStore(store -> {
                if (coll == null) {
                    for (CollectionId c : store.collections()) {
                        System.out.println(c + " bits " + store.collectionBits(c).orElseThrow());
                    }
                    return 0;
                }
                CollectionId c = parseColl(coll);
                Optional<ObjectId> cursor = Optional.empty();
                do {
                    ObjectStore.ObjectPage page = store.list(c, cursor.orElse(null), 1000);
                    page.objects().forEach(System.out::println);
                    cursor = page.next();
                } while (cursor.isPresent());
                return 0;
            });
        }
    }

    @Command(name = "stat", description = "Size, version, xattrs and omap size of one object.")
    static final class Stat implements Callable<Integer> {
        @ParentCommand
        ObjectstoreToolCommand tool;

        @Option(names = "--coll", required = true)
        String coll;

        @Option(names = "--oid", required = true, description = "POOL:[NS/]NAME@HASH")
        String oid;

        @Override
        public Integer call() {
            return tool.withStore(store -> {
                CollectionId c = parseColl(coll);
                ObjectId o = parseOid(oid);
                ObjectStore.ObjectStat st = store.stat(c, o);
                System.out.println("object " + o + " size " + st.size() + " version " + st.version());
                store.getattrs(c, o).forEach((k, v) -> System.out.println("xattr " + k + " (" + v.length + " bytes)"));
                int omapKeys = 0;
                String after = null;
                while (true) {
                    ObjectStore.OmapPage page = store.omapList(c, o, after, "", 1000);
                    omapKeys += page.entries().size();
                    if (!page.more()) {
                        break;
                    }
                    after = page.entries().lastKey();
                }
                System.out.println("omap keys " + omapKeys + ", header " + store.omapHeader(c, o).length + " bytes");
                return 0;
            });
        }
    }

    @Command(name = "get", description = "Write an object's data (every block checksum-verified) to stdout or --out.")
    static final class Get implements Callable<Integer> {
        @ParentCommand
        ObjectstoreToolCommand tool;

        @Option(names = "--coll", required = true)
        String coll;

        @Option(names = "--oid", required = true)
        String oid;

        @Option(names = "--out", description = "File to write; default stdout.")
        Path out;

        @Override
        public Integer call() {
            return tool.withStore(store -> {
                CollectionId c = parseColl(coll);
                ObjectId o = parseOid(oid);
                long size = store.stat(c, o).size();
                try (OutputStream os = out == null ? System.out : Files.newOutputStream(out)) {
                    for (long pos = 0; pos < size; pos += 8 << 20) {
                        os.write(store.read(c, o, pos, (int) Math.min(8 << 20, size - pos)));
                    }
                }
                return 0;
            });
        }
    }

    @Command(name = "fsck", description = "Verify every block checksum and the allocator against the metadata.")
    static final class FsckCmd implements Callable<Integer> {
        @ParentCommand
        ObjectstoreToolCommand tool;

        @Override
        public Integer call() {
            return tool.withStore(store -> {
                Fsck.Report report = Fsck.run(store);
                report.errors().forEach(e -> System.out.println("error: " + e));
                System.out.printf("fsck %s: %d objects, %d blocks checked, %d errors%n",
                        report.clean() ? "clean" : "FAILED", report.objects(), report.blocksChecked(), report.errors().size());
                return report.clean() ? 0 : 1;
            });
        }
    }

    @Command(name = "bench", description = "Benchmark a new store in --data (must hold no store) against fio on the same filesystem.")
    static final class Bench implements Callable<Integer> {
        @ParentCommand
        ObjectstoreToolCommand tool;

        @Option(names = "--mode", defaultValue = "all", description = "all, 4k, 4m, million, or reopen (of a store made by million) (default ${DEFAULT-VALUE}).")
        String mode;

        @Option(names = "--seconds", defaultValue = "10", description = "Seconds per measurement (default ${DEFAULT-VALUE}).")
        int seconds;

        @Option(names = "--warmup", defaultValue = "3", description = "Seconds of uncounted writes before each"
                + " measurement, for the store and (as --ramp_time) for fio (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--qd", split = ",", defaultValue = "1,16", description = "Queue depths (default ${DEFAULT-VALUE}).")
        List<Integer> queueDepths;

        @Option(names = "--objects", defaultValue = "1000000", description = "Objects for --mode million.")
        int objects;

        @Option(names = "--no-fio", description = "Skip fio.")
        boolean noFio;

        @Override
        public Integer call() throws Exception {
            Path dir = tool.data;
            if (mode.equals("reopen")) {
                StoreBench.MillionResult r = StoreBench.reopen(dir, StoreOptions.defaults(), objects);
                System.out.printf("reopen: %.2f s; RSS %d MiB, heap %d MiB, block cache %d MiB, memtables %d MiB;"
                                + " stat of a random object %.1f us%n", r.openSeconds(), r.rssBytesAfterOpen() >> 20,
                        r.heapUsedBytes() >> 20, r.blockCacheBytes() >> 20, r.memtableBytes() >> 20, r.statMicros());
                return 0;
            }
            if (Files.exists(dir.resolve("db"))) {
                System.err.println("objectstore-tool bench: " + dir + " already holds a store; bench needs an empty directory");
                return 2;
            }
            long sizeBytes = mode.equals("million") ? (long) objects * 4096 + (1L << 30) : 1L << 30;
            StoreOptions options = StoreOptions.defaults().withBlockFileBytes(sizeBytes);
            BlockObjectStore.mkfs(dir, options);
            System.out.printf("store in %s (data file %d MiB, large-write threshold %d KiB, block cache %d MiB, memtables %d MiB); %d s measured per run%n",
                    dir, sizeBytes >> 20, options.largeWriteBytes() >> 10, options.blockCacheBytes() >> 20,
                    options.memtableBytes() >> 20, seconds);
            System.out.printf("each run: %d s of warm-up (not counted), then %d s measured%n", warmup, seconds);
            if (mode.equals("million")) {
                StoreBench.MillionResult r = StoreBench.millionObjects(dir, options, objects);
                System.out.printf("million: %d objects created in %.1f s; reopened in %.2f s; after open: RSS %d MiB, heap %d MiB,"
                                + " block cache %d MiB, memtables %d MiB; stat %.1f us each%n",
                        r.objects(), r.createSeconds(), r.openSeconds(), r.rssBytesAfterOpen() >> 20, r.heapUsedBytes() >> 20,
                        r.blockCacheBytes() >> 20, r.memtableBytes() >> 20, r.statMicros());
                return 0;
            }
            List<String> rows = new ArrayList<>();
            try (BlockObjectStore store = BlockObjectStore.open(dir, options)) {
                if (!mode.equals("4m")) {
                    StoreBench.prefill(store, "rw", 64, 4 << 20);
                    for (int qd : queueDepths) {
                        StoreBench.Result r = StoreBench.randomWrites4k(store, 64, 4 << 20, qd, Duration.ofSeconds(warmup),
                                Duration.ofSeconds(seconds));
                        rows.add(row(r, noFio ? null : fio(dir, "randwrite", "4k", "256M", qd, warmup, seconds)));
                    }
                }
                if (!mode.equals("4k")) {
                    for (int qd : queueDepths) {
                        StoreBench.Result r = StoreBench.writes4m(store, 64, qd, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds));
                        rows.add(row(r, noFio ? null : fio(dir, "write", "4M", "1G", qd, warmup, seconds)));
                    }
                }
            }
            System.out.println("summary:");
            rows.forEach(System.out::println);
            return 0;
        }

        private static String row(StoreBench.Result r, double[] fio) {
            String line = String.format("%-12s qd %-2d  %9.0f ops/s %8.1f MiB/s  WA %.2f (device %.2f)  CPU %.1f us/op",
                    r.name(), r.queueDepth(), r.opsPerSecond(), r.mibPerSecond(), r.writeAmplification(),
                    r.deviceWriteAmplification(), r.cpuMicrosPerOp());
            if (fio != null) {
                line += String.format("  | fio %9.0f ops/s %8.1f MiB/s -> store/fio %.0f%%", fio[0], fio[1], 100 * r.opsPerSecond() / fio[0]);
            }
            System.out.println(line);
            return line;
        }

        /**
         * Runs fio with an fsync after every write: {@code qd} jobs, each on a file of its own (jobs
         * sharing one file would rewrite the same pages, and one fsync would cover several writes);
         * returns {ops/s, MiB/s}, or null.
         */
        private static double[] fio(Path dir, String rw, String bs, String totalSize, int qd, int warmup,
                                    int seconds) {
            Path fioDir = dir.resolve("fio");
            long perJobMib = Math.max(16, parseMib(totalSize) / qd);
            List<String> cmd = List.of("fio", "--name=bench", "--directory=" + fioDir, "--size=" + perJobMib + "M",
                    "--rw=" + rw, "--bs=" + bs, "--fsync=1", "--ioengine=psync", "--numjobs=" + qd, "--thread",
                    "--time_based", "--runtime=" + seconds, "--ramp_time=" + warmup, "--group_reporting", "--output-format=json");
            try {
                Files.createDirectories(fioDir);
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(warmup + seconds + 120L, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    System.err.println("fio failed: " + String.join(" ", cmd));
                    return null;
                }
                String json = new String(out);
                JsonNode write = new ObjectMapper().readTree(json.substring(json.indexOf('{'))).path("jobs").path(0).path("write");
                return new double[] {write.path("iops").asDouble(), write.path("bw_bytes").asDouble() / (1 << 20)};
            } catch (IOException e) {
                System.err.println("fio not run (" + e.getMessage() + "); install it with apt-get install fio");
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } finally {
                try (var files = Files.list(fioDir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(fioDir);
                } catch (IOException e) {
                    System.err.println("could not delete " + fioDir + ": " + e.getMessage());
                }
            }
        }

        private static long parseMib(String size) {
            long n = Long.parseLong(size.substring(0, size.length() - 1));
            return size.endsWith("G") ? n << 10 : n;
        }
    }

}
