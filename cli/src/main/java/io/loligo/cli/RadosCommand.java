package io.loligo.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.client.Cluster;
import io.loligo.client.IoContext;
import io.loligo.client.ObjectStat;
import io.loligo.client.PoolStats;
import io.loligo.client.RadosException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code loligo rados -p POOL COMMAND ...}: object-level access like Ceph's {@code rados} tool.
 * Exit codes: 0 success, 1 the operation failed (message on stderr), 2 bad usage.
 */
@Command(name = "rados", description = "Object commands on a pool: put|get|rm|ls|stat|create|truncate|append|"
        + "mksnap|rmsnap|lssnap|"
        + "setxattr|getxattr|listxattr|rmxattr|setomapval|getomapval|listomapkeys|listomapvals|rmomapkey|"
        + "df|lspools|mkpool|rmpool|cleanup|bench SECONDS write|seq|rand|mixed|list-inconsistent-obj PGID|list-inconsistent-pg POOL")
public final class RadosCommand implements Callable<Integer> {
    static final int CHUNK_BYTES = 4 << 20;

    @Option(names = {"-c", "--conf"}, description = "Cluster config file (default: $LOLIGO_CONF, ./.loligo/loligo.conf, /etc/loligo/loligo.conf).")
    Path conf;

    @Option(names = {"-n", "--name"}, defaultValue = "client.admin", description = "Entity to authenticate as.")
    String name;

    @Option(names = {"-p", "--pool"}, description = "The pool.")
    String pool;

    @Option(names = {"-s", "--snap"}, description = "Read from this pool snapshot (get, stat, ls).")
    String snap;

    @Option(names = {"-N", "--namespace"}, defaultValue = "", description = "Namespace within the pool.")
    String namespace;

    @Option(names = {"-f", "--format"}, defaultValue = "plain", description = "plain or json (bench, df, lspools, ls, stat).")
    String format;

    @Option(names = {"-b"}, description = "bench: op size in bytes (default 4194304).")
    Integer opSize;

    @Option(names = {"-O", "--object-size"}, description = "bench: object size in bytes (default: the op size).")
    Integer objectSize;

    @Option(names = {"-t", "--concurrent-ios"}, defaultValue = "16", description = "bench: ops in flight (default 16).")
    int concurrency;

    @Option(names = "--no-cleanup", description = "bench write: keep the objects (for seq/rand).")
    boolean noCleanup;

    @Option(names = "--no-verify", description = "bench seq/rand: do not check the data read.")
    boolean noVerify;

    @Option(names = "--run-name", description = "bench/cleanup: the metadata object's name (default benchmark_last_metadata).")
    String runName;

    @Option(names = "--rate", description = "bench mixed: ops per second (default 25).")
    double rate = 25;

    @Option(names = "--latency-log", description = "bench mixed: a line per op (due ms, latency us, kind, ok); stops early when FILE.stop appears.")
    Path latencyLog;

    @Option(names = "--all", description = "ls: objects of every namespace (printed as NAMESPACE<tab>NAME).")
    boolean allNamespaces;

    @Option(names = "--yes-i-really-really-mean-it", description = "rmpool: confirm.")
    boolean yes;

    @Parameters(arity = "1..*", description = "The command and its arguments.")
    List<String> words = new ArrayList<>();

    private PrintStream out = System.out;
    private PrintStream err = System.err;

    @Override
    public Integer call() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // A CLI run shows errors, not the messenger's reconnect chatter (set before the first logger exists).
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        String cmd = words.get(0);
        List<String> args = words.subList(1, words.size());
        if (!format.equals("plain") && !format.startsWith("json")) {
            err.println("error: --format " + format + " (expected plain or json)");
            return 2;
        }
        Path confPath = conf != null ? conf : LocalCluster.defaultConf();
        if (cmd.equals("list-inconsistent-obj") || cmd.equals("list-inconsistent-pg")) {
            var o = new java.io.PrintWriter(out, true);
            var e = new java.io.PrintWriter(err, true);
            return cmd.equals("list-inconsistent-obj") ? ScrubCli.listInconsistentObj(confPath, name, args,
                    format.equals("json-pretty"), o, e) : ScrubCli.listInconsistentPg(confPath, name, args, o, e);
        }
        try (Cluster cluster = Cluster.connect(confPath, name)) {
            return dispatch(cluster, cmd, args);
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (RadosException e) {
            err.println("error: " + e.getMessage());
            return e.exitCode();
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return 1;
        } catch (Exception e) {
            err.println("error: " + e);
            return 1;
        }
    }

    /** Bad usage: exit 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private static void need(List<String> args, int n, String usage) throws UsageException {
        if (args.size() != n) {
            throw new UsageException("usage: loligo rados -p POOL " + usage);
        }
    }

    private IoContext io(Cluster cluster) throws IOException, UsageException {
        if (pool == null || pool.isEmpty()) {
            throw new UsageException("pool name must be specified with -p POOL (list them with: loligo rados lspools)");
        }
        IoContext io = cluster.ioContext(pool, namespace);
        if (snap != null) {
            io.setReadSnap(io.snapLookup(snap));
        }
        return io;
    }

    private int snapCommand(IoContext io, String cmd, List<String> args) throws IOException, UsageException {
        switch (cmd) {
            case "mksnap" -> {
                need(args, 1, "mksnap SNAP");
                io.snapCreate(args.get(0));
                out.println("created pool " + io.poolName() + " snap " + args.get(0));
            }
            case "rmsnap" -> {
                need(args, 1, "rmsnap SNAP");
                io.snapRemove(args.get(0));
                out.println("removed pool " + io.poolName() + " snap " + args.get(0));
            }
            default -> {
                need(args, 0, "lssnap");
                var fmt = java.time.format.DateTimeFormatter.ofPattern("yyyy.MM.dd HH:mm:ss").withZone(java.time.ZoneOffset.UTC);
                List<IoContext.Snap> snaps = io.snapList();
                snaps.forEach(s -> out.println(s.id() + "\t" + s.name() + "\t" + fmt.format(java.time.Instant.ofEpochMilli(s.stampMillis()))));
                out.println(snaps.size() + " snaps");
            }
        }
        return 0;
    }

    private int dispatch(Cluster cluster, String cmd, List<String> args) throws Exception {
        switch (cmd) {
            case "lspools" -> cluster.listPools().forEach(out::println);
            case "df" -> df(cluster);
            case "mkpool" -> {
                need(args, 1, "mkpool NAME   (or: loligo osd pool create NAME)");
                cluster.createPool(args.get(0), 0);
                out.println("successfully created pool " + args.get(0));
            }
            case "rmpool" -> {
                need(args, 2, "rmpool NAME NAME --yes-i-really-really-mean-it");
                if (!args.get(0).equals(args.get(1)) || !yes) {
                    throw new UsageException("rmpool deletes the pool and all its data: repeat the name and add "
                            + "--yes-i-really-really-mean-it");
                }
                cluster.deletePool(args.get(0));
                out.println("successfully deleted pool " + args.get(0));
            }
            case "bench" -> {
                return bench(io(cluster), args);
            }
            case "cleanup" -> {
                int removed = new RadosBench(io(cluster), out, false).cleanup(runName == null ? RadosBench.DEFAULT_RUN : runName);
                out.println("Removed " + removed + " objects");
            }
            case "mksnap", "rmsnap", "lssnap" -> {
                return snapCommand(io(cluster), cmd, args);
            }
            default -> {
                return objectCommand(io(cluster), cmd, args);
            }
        }
        return 0;
    }

    private int objectCommand(IoContext io, String cmd, List<String> args) throws Exception {
        switch (cmd) {
            case "put" -> {
                need(args, 2, "put NAME FILE|-");
                put(io, args.get(0), args.get(1));
            }
            case "get" -> {
                need(args, 2, "get NAME FILE|-");
                get(io, args.get(0), args.get(1));
            }
            case "append" -> {
                need(args, 2, "append NAME FILE|-");
                io.append(args.get(0), readAll(args.get(1)));
            }
            case "rm" -> {
                if (args.isEmpty()) {
                    throw new UsageException("usage: loligo rados -p POOL rm NAME...");
                }
                for (String oid : args) {
                    io.remove(oid);
                }
            }
            case "create" -> {
                need(args, 1, "create NAME");
                io.create(args.get(0), true);
            }
            case "truncate" -> {
                need(args, 2, "truncate NAME SIZE");
                io.truncate(args.get(0), parseSize(args.get(1)));
            }
            case "stat" -> {
                need(args, 1, "stat NAME");
                stat(io, args.get(0));
            }
            case "ls" -> {
                if (snap != null) {
                    throw new UsageException("ls lists the current objects; -s SNAP works with get and stat");
                }
                ls(io);
            }
            default -> {
                return xattrOrOmap(io, cmd, args);
            }
        }
        return 0;
    }

    private int xattrOrOmap(IoContext io, String cmd, List<String> args) throws Exception {
        switch (cmd) {
            case "setxattr" -> {
                need(args, 3, "setxattr NAME ATTR VALUE");
                io.setXattr(args.get(0), args.get(1), args.get(2).getBytes(StandardCharsets.UTF_8));
            }
            case "getxattr" -> {
                need(args, 2, "getxattr NAME ATTR");
                out.write(io.getXattr(args.get(0), args.get(1)));
                out.println();
            }
            case "listxattr" -> {
                need(args, 1, "listxattr NAME");
                io.getXattrs(args.get(0)).keySet().forEach(out::println);
            }
            case "rmxattr" -> {
                need(args, 2, "rmxattr NAME ATTR");
                io.rmXattr(args.get(0), args.get(1));
            }
            case "setomapval" -> {
                need(args, 3, "setomapval NAME KEY VALUE");
                io.omapSet(args.get(0), Map.of(args.get(1), args.get(2).getBytes(StandardCharsets.UTF_8)));
            }
            case "getomapval" -> {
                need(args, 2, "getomapval NAME KEY");
                byte[] v = io.omapGet(args.get(0), List.of(args.get(1))).get(args.get(1));
                if (v == null) {
                    throw new RadosException.NoData("omap key '" + args.get(1) + "' not found on object '" + args.get(0) + "'");
                }
                out.println("value (" + v.length + " bytes) :");
                out.print(hexdump(v));
            }
            case "listomapkeys" -> {
                need(args, 1, "listomapkeys NAME");
                io.omapList(args.get(0), true).keySet().forEach(out::println);
            }
            case "listomapvals" -> {
                need(args, 1, "listomapvals NAME");
                io.omapList(args.get(0), false).forEach((k, v) -> {
                    out.println(k);
                    out.println("value (" + v.length + " bytes) :");
                    out.print(hexdump(v));
                    out.println();
                });
            }
            case "rmomapkey" -> {
                need(args, 2, "rmomapkey NAME KEY");
                io.omapRmKeys(args.get(0), List.of(args.get(1)));
            }
            default -> throw new UsageException("unknown rados command '" + cmd + "'; see: loligo rados --help");
        }
        return 0;
    }

    /** Streams the input in 4 MiB pieces: write_full for the first (replacing the object), then writes, 4 in flight. */
    private void put(IoContext io, String oid, String file) throws IOException {
        try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
            long offset = 0;
            List<CompletableFuture<Void>> inflight = new ArrayList<>();
            byte[] chunk = in.readNBytes(CHUNK_BYTES);
            io.writeFull(oid, chunk);   // creates or truncates: the object becomes exactly the file
            offset += chunk.length;
            long total = file.equals("-") ? -1 : Files.size(Path.of(file));
            while ((chunk = in.readNBytes(CHUNK_BYTES)).length > 0) {
                inflight.add(io.writeAsync(oid, chunk, offset));
                offset += chunk.length;
                progress("put " + oid, offset, total);
                if (inflight.size() >= 4) {
                    await(inflight.remove(0));
                }
            }
            for (CompletableFuture<Void> f : inflight) {
                await(f);
            }
            progressDone(offset);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("cannot read " + file + ": no such file");
        }
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private void get(IoContext io, String oid, String file) throws IOException {
        long size = io.stat(oid).size();
        Path target = file.equals("-") ? null : Path.of(file);
        Path tmp = target == null ? null : target.resolveSibling("." + target.getFileName() + ".loligo-tmp");
        try (OutputStream o = target == null ? System.out : Files.newOutputStream(tmp)) {
            for (long offset = 0; offset < size; offset += CHUNK_BYTES) {
                byte[] piece = io.read(oid, offset, (int) Math.min(CHUNK_BYTES, size - offset));
                o.write(piece);
                progress("get " + oid, offset + piece.length, size);
            }
            progressDone(size);
            o.flush();
        }
        if (target != null) {
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A progress line on a terminal for transfers past 16 MiB (nothing when stderr is redirected). */
    private void progress(String what, long done, long total) {
        if (!terminal() || total < (16 << 20) && total >= 0) {
            return;
        }
        String of = total < 0 ? "" : String.format(" of %s (%d%%)", human(total), done * 100 / Math.max(1, total));
        err.print("\r" + what + ": " + human(done) + of + "   ");
        err.flush();
    }

    private void progressDone(long bytes) {
        if (terminal() && bytes >= (16 << 20)) {
            err.println();
        }
    }

    private static boolean terminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    private static byte[] readAll(String file) throws IOException {
        return file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
    }

    private static long parseSize(String s) throws UsageException {
        try {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("size '" + s + "' is not a byte count (expected 0 or more)");
        }
    }

    private void stat(IoContext io, String oid) {
        ObjectStat st = io.stat(oid);
        String mtime = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSZ").withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(st.mtimeMillis()));
        if (format.startsWith("json")) {
            out.println(LocalCluster.JSON.createObjectNode().put("pool", io.poolName()).put("name", oid)
                    .put("size", st.size()).put("mtime", mtime).toString());
        } else {
            out.println(io.poolName() + "/" + oid + " mtime " + mtime + ", size " + st.size());
        }
    }

    private void ls(IoContext io) {
        if (format.startsWith("json")) {
            ArrayNode a = LocalCluster.JSON.createArrayNode();
            for (var ref : io.listObjectRefs(allNamespaces)) {
                a.addObject().put("namespace", ref.namespace()).put("name", ref.name());
            }
            out.println(a);
            return;
        }
        for (var ref : io.listObjectRefs(allNamespaces)) {
            out.println(allNamespaces ? ref.namespace() + "\t" + ref.name() : ref.name());
        }
    }

    private void df(Cluster cluster) throws IOException {
        List<PoolStats> pools = cluster.poolStats();
        var total = cluster.clusterStats();
        if (format.startsWith("json")) {
            ObjectNode j = LocalCluster.JSON.createObjectNode();
            ArrayNode a = j.putArray("pools");
            for (PoolStats p : pools) {
                a.addObject().put("name", p.name()).put("id", p.id()).put("size_bytes", p.usedBytes())
                        .put("size_kb", p.usedBytes() / 1024).put("num_objects", p.objects()).put("stored_bytes", p.storedBytes());
            }
            j.put("total_objects", total.objects()).put("total_used", total.usedBytes() / 1024)
                    .put("total_avail", total.availBytes() / 1024).put("total_space", total.totalBytes() / 1024);
            out.println(j);
            return;
        }
        out.printf("%-12s %10s %8s%n", "POOL_NAME", "USED", "OBJECTS");
        for (PoolStats p : pools) {
            out.printf("%-12s %10s %8d%n", p.name(), human(p.usedBytes()), p.objects());
        }
        out.println();
        out.println("total_objects    " + total.objects());
        out.println("total_used       " + human(total.usedBytes()));
        out.println("total_avail      " + human(total.availBytes()));
        out.println("total_space      " + human(total.totalBytes()));
    }

    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format("%.1f %s", v, units[u]);
    }

    /** Ceph's hexdump: offset, 16 bytes in hex (two groups of 8), the printable characters; then the length. */
    static String hexdump(byte[] v) {
        StringBuilder sb = new StringBuilder();
        for (int row = 0; row < v.length; row += 16) {
            sb.append(String.format("%08x ", row));
            StringBuilder chars = new StringBuilder();
            for (int i = 0; i < 16; i++) {
                if (i == 8) {
                    sb.append(' ');
                }
                if (row + i < v.length) {
                    int b = v[row + i] & 0xff;
                    sb.append(String.format(" %02x", b));
                    chars.append(b >= 32 && b < 127 ? (char) b : '.');
                } else {
                    sb.append("   ");
                }
            }
            sb.append("  |").append(chars).append("|\n");
        }
        return sb.append(String.format("%08x%n", v.length)).toString();
    }

    private int bench(IoContext io, List<String> args) throws Exception {
        if (args.size() != 2) {
            throw new UsageException("usage: loligo rados -p POOL bench SECONDS write|seq|rand [-b SIZE] [-t CONCURRENCY] "
                    + "[--no-cleanup] [--run-name NAME]  |  bench SECONDS mixed [--rate OPS] [--run-name RUN,...] [--latency-log FILE]");
        }
        int seconds;
        try {
            seconds = Integer.parseInt(args.get(0));
        } catch (NumberFormatException e) {
            throw new UsageException("bench: SECONDS '" + args.get(0) + "' is not a number");
        }
        if (seconds <= 0 || concurrency <= 0) {
            throw new UsageException("bench: SECONDS and -t must be positive");
        }
        int op = opSize == null ? 4 << 20 : opSize;
        int obj = objectSize == null ? op : objectSize;
        if (op <= 0 || op > 64 << 20 || obj < op) {
            throw new UsageException("bench: -b " + op + " must be 1..67108864 and the object size (" + obj + ") at least the op size");
        }
        String run = runName == null ? RadosBench.DEFAULT_RUN : runName;
        RadosBench b = new RadosBench(io, out, format.startsWith("json"));
        switch (args.get(1)) {
            case "write" -> b.write(seconds, op, obj, concurrency, run, !noCleanup);
            case "seq" -> b.read(seconds, concurrency, run, false, !noVerify);
            case "rand" -> b.read(seconds, concurrency, run, true, !noVerify);
            case "mixed" -> {
                if (!(rate > 0 && rate <= 100_000)) {
                    throw new UsageException("bench mixed: --rate " + rate + " (expected 0 < OPS <= 100000)");
                }
                List<PacedBench.Target> readable = new ArrayList<>();
                for (String r : run.split(",")) {
                    readable.addAll(b.objects(r));
                }
                return PacedBench.run(io, out, seconds, rate, readable, latencyLog);
            }
            default -> throw new UsageException("bench: mode '" + args.get(1) + "' (expected write, seq, rand or mixed)");
        }
        return 0;
    }
}
