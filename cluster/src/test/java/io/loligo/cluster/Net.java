package io.loligo.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulated hosts' network: one Linux network namespace per host, each with a veth pair whose
 * outer end is enslaved to a bridge in the root namespace, so the test JVM (the clients, in the
 * root namespace) reaches every host and the hosts reach each other through the bridge.
 *
 * <p>Names carry the creating JVM's pid and a per-run counter, so concurrent runs never collide
 * and a run killed before its cleanup is recognised later: {@link #cleanStale()} removes every
 * namespace and link whose pid is no longer alive. Namespaces are {@code loligo-P-R-hI}; links (15
 * characters at most, the kernel's limit) are {@code lcPRb} (bridge) and {@code lcPRvI} (a host's
 * outer veth end), with P the pid and R the run in base 36. The inner veth end is renamed {@code
 * eth0}. Addresses: 10.213.N.0/24 with N chosen free among the machine's routes; the bridge is .1,
 * host I is .(10+I).
 *
 * <p>Where namespaces cannot be made (not root, no {@code ip}, or {@code LOLIGO_NO_NETNS} set),
 * {@link #create} returns null and the harness runs every daemon on loopback; the network-fault
 * scenarios then skip.
 */
final class Net implements AutoCloseable {
    static final String NS_PREFIX = "loligo-";
    private static final Pattern NS_NAME = Pattern.compile("loligo-([0-9a-z]+)-([0-9a-z]+)-h\\d+");
    private static final Pattern LINK_NAME = Pattern.compile("lc([0-9a-z]+)_([0-9a-z]+)[bv]\\d*");
    private static final AtomicInteger RUNS = new AtomicInteger();

    final String runTag;
    final String subnet;
    final List<String> namespaces = new ArrayList<>();
    private final String bridge;
    private final List<String> outerLinks = new ArrayList<>();

    private Net(String runTag, String subnet) {
        this.runTag = runTag;
        this.subnet = subnet;
        this.bridge = "lc" + runTag + "b";
    }

    /** Why namespaces are unavailable here, or null when they are. */
    static String unavailableReason() {
        if (System.getenv("LOLIGO_NO_NETNS") != null) {
            return "LOLIGO_NO_NETNS is set";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not running as root (user " + System.getProperty("user.name") + ")";
        }
        try {
            Result r = run(List.of("ip", "netns", "list"));
            return r.code == 0 ? null : "`ip netns list` failed: " + r.out;
        } catch (IOException e) {
            return "no `ip` command: " + e.getMessage();
        }
    }

    /** Makes the bridge and {@code hosts} namespaces, or returns null where namespaces are unavailable. */
    static Net create(int hosts) throws IOException {
        if (unavailableReason() != null) {
            return null;
        }
        cleanStale();
        String pid = Long.toString(ProcessHandle.current().pid(), 36);
        String tag = pid + "_" + Integer.toString(RUNS.getAndIncrement(), 36);
        Net net = new Net(tag, freeSubnet());
        try {
            net.build(hosts);
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build(int hosts) throws IOException {
        must("ip", "link", "add", bridge, "type", "bridge");
        must("ip", "addr", "add", subnet + ".1/24", "dev", bridge);
        must("ip", "link", "set", bridge, "up");
        for (int i = 0; i < hosts; i++) {
            String ns = NS_PREFIX + runTag.replace('_', '-') + "-h" + i;
            String outer = "lc" + runTag + "v" + i;
            String inner = "lc" + runTag + "i" + i;
            must("ip", "netns", "add", ns);
            namespaces.add(ns);
            must("ip", "link", "add", outer, "type", "veth", "peer", "name", inner);
            outerLinks.add(outer);
            must("ip", "link", "set", inner, "netns", ns);
            must("ip", "link", "set", outer, "master", bridge, "up");
            must("ip", "-n", ns, "link", "set", inner, "name", "eth0");
            must("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
            must("ip", "-n", ns, "link", "set", "eth0", "up");
            must("ip", "-n", ns, "link", "set", "lo", "up");
        }
    }

    /** Host {@code i}'s address. */
    String address(int i) {
        return subnet + "." + (10 + i);
    }

    /** The command prefix that runs a program inside host {@code i}'s namespace. */
    List<String> exec(int i) {
        return List.of("ip", "netns", "exec", namespaces.get(i));
    }

    /** Cuts host {@code i} off the network (its interface down: every peer, monitor and client loses it). */
    void isolate(int i) throws IOException {
        must("ip", "-n", namespaces.get(i), "link", "set", "eth0", "down");
    }

    /** Reconnects host {@code i}. */
    void heal(int i) throws IOException {
        must("ip", "-n", namespaces.get(i), "link", "set", "eth0", "up");
    }

    /** Whether tc netem (loss, latency) can be used here; this kernel may lack sch_netem. */
    boolean netemAvailable() throws IOException {
        Result r = run(List.of("ip", "netns", "exec", namespaces.get(0), "tc", "qdisc", "add", "dev", "lo", "root", "netem",
                "delay", "1ms"));
        if (r.code == 0) {
            run(List.of("ip", "netns", "exec", namespaces.get(0), "tc", "qdisc", "del", "dev", "lo", "root"));
            return true;
        }
        return false;
    }

    /** Adds netem loss/latency on host {@code i}'s egress (one-way), e.g. {@code "loss", "20%"}. */
    void netem(int i, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(exec(i));
        cmd.addAll(List.of("tc", "qdisc", "replace", "dev", "eth0", "root", "netem"));
        cmd.addAll(List.of(args));
        must(cmd.toArray(String[]::new));
    }

    void clearNetem(int i) throws IOException {
        List<String> cmd = new ArrayList<>(exec(i));
        cmd.addAll(List.of("tc", "qdisc", "del", "dev", "eth0", "root"));
        run(cmd);
    }

    /** Which of a host's directions {@link #loss} drops packets on. */
    enum Direction {
        /** Packets leaving the host (its replies and requests are lost; what it is sent arrives). */
        OUT,
        /** Packets arriving at the host. */
        IN,
        BOTH
    }

    /** The nftables table the loss rules live in, inside a host's namespace (removed by {@link #clearLoss}). */
    private static final String NFT_TABLE = "loligo_chaos";

    /**
     * Whether {@link #loss} works here: nftables (the {@code nft} tool, package nftables) with its
     * {@code numgen random} expression. This kernel has no sch_netem, so tc netem cannot do it.
     */
    static String nftUnavailableReason() {
        try {
            Result r = run(List.of("nft", "--version"));
            return r.code == 0 ? null : "nft exited " + r.code + ": " + r.out.strip();
        } catch (IOException e) {
            return "no nft tool (apt-get install -y nftables): " + e.getMessage();
        }
    }

    /**
     * Drops {@code percent} % of host {@code i}'s packets on eth0, chosen at random per packet
     * (nftables {@code numgen random}), in {@code direction}; replaces any loss set before.
     */
    void loss(int i, int percent, Direction direction) throws IOException {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("loss " + percent + " % (expected: 0 to 100)");
        }
        clearLoss(i);
        // numgen's modulus bounds its values to 0..99: 100 % is an unconditional drop.
        String chance = percent >= 100 ? "" : "numgen random mod 100 < " + percent + " ";
        StringBuilder rules = new StringBuilder("table inet " + NFT_TABLE + " {\n");
        if (direction != Direction.IN) {
            rules.append("  chain out { type filter hook output priority 0; policy accept;\n")
                    .append("    oifname \"eth0\" ").append(chance).append("counter drop\n  }\n");
        }
        if (direction != Direction.OUT) {
            rules.append("  chain in { type filter hook input priority 0; policy accept;\n")
                    .append("    iifname \"eth0\" ").append(chance).append("counter drop\n  }\n");
        }
        rules.append("}\n");
        java.nio.file.Path file = java.nio.file.Files.createTempFile("loligo-nft-", ".nft");
        try {
            java.nio.file.Files.writeString(file, rules);
            List<String> cmd = new ArrayList<>(exec(i));
            cmd.addAll(List.of("nft", "-f", file.toString()));
            must(cmd.toArray(String[]::new));
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /** Packets host {@code i}'s loss rules dropped so far (the rules' counters), or 0 without rules. */
    long lossDropped(int i) throws IOException {
        List<String> cmd = new ArrayList<>(exec(i));
        cmd.addAll(List.of("nft", "list", "table", "inet", NFT_TABLE));
        Result r = run(cmd);
        long total = 0;
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(r.out);
        while (r.code == 0 && m.find()) {
            total += Long.parseLong(m.group(1));
        }
        return total;
    }

    /** Removes host {@code i}'s loss rules (if any). */
    void clearLoss(int i) throws IOException {
        List<String> cmd = new ArrayList<>(exec(i));
        cmd.addAll(List.of("nft", "delete", "table", "inet", NFT_TABLE));
        run(cmd);
    }

    @Override
    public void close() {
        for (String ns : namespaces) {
            quiet("ip", "netns", "del", ns);
        }
        for (String link : outerLinks) {
            quiet("ip", "link", "del", link);
        }
        quiet("ip", "link", "del", bridge);
        namespaces.clear();
        outerLinks.clear();
    }

    /** Removes namespaces and links left by runs whose JVM is gone (killed before cleanup). */
    static void cleanStale() throws IOException {
        for (String line : run(List.of("ip", "netns", "list")).out.split("\n")) {
            String ns = line.split(" ")[0].trim();
            Matcher m = NS_NAME.matcher(ns);
            if (m.matches() && !alive(m.group(1))) {
                quiet("ip", "netns", "del", ns);
            }
        }
        Set<String> seen = new HashSet<>();
        for (String line : run(List.of("ip", "-o", "link", "show")).out.split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length < 2) {
                continue;
            }
            String name = parts[1].split("@")[0].trim();
            Matcher m = LINK_NAME.matcher(name);
            if (m.matches() && !alive(m.group(1)) && seen.add(name)) {
                quiet("ip", "link", "del", name);
            }
        }
    }

    private static boolean alive(String pid36) {
        try {
            return ProcessHandle.of(Long.parseLong(pid36, 36)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true;   // not ours after all: leave it alone
        }
    }

    /** A /24 under 10.213/16 that no route on this machine uses yet. */
    private static String freeSubnet() throws IOException {
        String routes = run(List.of("ip", "-4", "route", "show")).out + run(List.of("ip", "-4", "addr", "show")).out;
        int start = (int) (ProcessHandle.current().pid() % 200);
        for (int k = 0; k < 250; k++) {
            String s = "10.213." + ((start + k + RUNS.get() * 7) % 250 + 1);
            if (!routes.contains(s + ".")) {
                return s;
            }
        }
        throw new IOException("no free 10.213.x.0/24 subnet among: " + routes);
    }

    record Result(int code, String out) { }

    static Result run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + cmd, e);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    static void must(String... cmd) throws IOException {
        Result r = run(List.of(cmd));
        if (r.code != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + r.code + ": " + r.out.strip());
        }
    }

    private static void quiet(String... cmd) {
        try {
            run(List.of(cmd));
        } catch (IOException e) {
            // best effort during cleanup; cleanStale() catches what is left
        }
    }
}
