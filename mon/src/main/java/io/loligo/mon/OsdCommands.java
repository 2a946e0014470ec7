package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loligo.crush.Bucket;
import io.loligo.crush.CrushMap;
import io.loligo.maps.ClusterFlag;
import io.loligo.maps.CrushCodec;
import io.loligo.maps.OsdMap;
import io.loligo.maps.OsdState;
import io.loligo.maps.codec.MapDecodeException;
import io.loligo.maps.codec.MapReader;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * OSD lifecycle and CRUSH commands (Ceph's OSDMonitor, the parts we need): create, boot, failure
 * reports, down/out/in/rm, reweights, flags and CRUSH edits. Each mutation that changes the map
 * commits exactly one incremental, i.e. one new epoch; a command that changes nothing commits none.
 */
final class OsdCommands {
    /**
     * Failure reports older than this no longer count: reporters resend every few seconds while a
     * failure lasts (Ceph's OSDs every osd_heartbeat_interval), so an old lone report is stale news.
     */
    static final long FAILURE_REPORT_MAX_AGE_MS = 60_000;

    private OsdCommands() {}

    static MonReply apply(MonState s, Cmd c) throws CommandException {
        return switch (c.prefix()) {
            case "osd create", "osd new" -> create(s, c);
            case "osd boot" -> boot(s, c);
            case "osd failure" -> failure(s, c);
            case "osd down" -> down(s, c);
            case "osd mark-me-down" -> markMeDown(s, c);
            case "osd beacon" -> beacon(s, c);
            case "osd alive" -> alive(s, c);
            case "osd out" -> out(s, c);
            case "osd in" -> in(s, c);
            case "osd rm" -> rm(s, c);
            case "osd reweight" -> reweight(s, c);
            case "osd primary-affinity" -> primaryAffinity(s, c);
            case "osd set", "osd unset" -> flag(s, c);
            case "osd set-nearfull-ratio", "osd set-backfillfull-ratio", "osd set-full-ratio" -> Fullness.setRatio(s, c);
            case "osd crush reweight" -> crushReweight(s, c);
            case "osd crush add-bucket" -> addBucket(s, c);
            case "osd crush move" -> crushMove(s, c);
            case "osd setcrushmap" -> setCrushMap(s, c);
            case "osd pg-temp" -> pgTemp(s, c);
            case "osd primary-temp" -> primaryTemp(s, c);
            case "osd blocklist add" -> blocklist(s, c, true);
            case "osd blocklist rm" -> blocklist(s, c, false);
            default -> throw new CommandException(Errno.EINVAL, "unknown command '" + c.prefix() + "'");
        };
    }

    private static ObjectNode data() {
        return MonReply.JSON.createObjectNode();
    }

    /** Parses "3" or "osd.3"; the OSD must exist. */
    static int osdId(MonState s, String arg) throws CommandException {
        String t = arg.startsWith("osd.") ? arg.substring(4) : arg;
        int id;
        try {
            id = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new CommandException(Errno.EINVAL, "'" + arg + "' is not an osd id (expected N or osd.N)");
        }
        if (s.osdmap.osd(id) == null) {
            throw new CommandException(Errno.ENOENT, "osd." + id + " does not exist; list OSDs with: loligo osd tree");
        }
        return id;
    }

    private static List<Integer> ids(MonState s, Cmd c) throws CommandException {
        List<String> raw = c.list("ids");
        if (raw.isEmpty()) {
            throw new CommandException(Errno.EINVAL, "'" + c.prefix() + "' needs at least one OSD id");
        }
        List<Integer> out = new ArrayList<>();
        for (String r : raw) {
            if (r.equals("all") || r.equals("any") || r.equals("*")) {
                out.addAll(s.osdmap.osds().keySet());
            } else {
                out.add(osdId(s, r));
            }
        }
        return out;
    }

    private static int lowestFreeId(OsdMap m) {
        int id = 0;
        while (m.osd(id) != null) {
            id++;
        }
        return id;
    }

    private static MonReply create(MonState s, Cmd c) throws CommandException {
        String uuid = c.str("uuid", "");
        if (!uuid.isEmpty()) {
            for (OsdState o : s.osdmap.osds().values()) {
                if (o.uuid().equals(uuid)) {
                    return MonReply.ok("", data().put("osdid", o.id()), s.epoch());
                }
            }
        }
        int id = c.has("id") ? c.integer("id") : lowestFreeId(s.osdmap);
        if (id < 0 || id > 1_000_000) {
            throw new CommandException(Errno.EINVAL, "osd id " + id + " out of range 0..1000000");
        }
        if (s.osdmap.osd(id) != null) {
            throw new CommandException(Errno.EEXIST, "osd." + id + " already exists");
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newOsds.put(id, OsdState.created(id, uuid));
        inc.newMaxOsd = Math.max(s.osdmap.maxOsd(), id + 1);
        s.commit(inc);
        return MonReply.ok("", data().put("osdid", id), s.epoch());
    }

    /**
     * An OSD announces itself: created on first boot (by uuid), placed in CRUSH under its host with a
     * weight from its capacity and marked in if new, and marked up. A booting OSD that is already up
     * at the same address changes nothing; one that was wrongly marked down comes back up.
     */
    private static MonReply boot(MonState s, Cmd c) throws CommandException {
        String uuid = c.str("uuid");
        String addr = c.str("addr");
        String host = c.str("host");
        if (host.isEmpty() || addr.isEmpty() || host.contains("~")) {
            throw new CommandException(Errno.EINVAL, "osd boot needs a host name and an address");
        }
        OsdState o = null;
        for (OsdState x : s.osdmap.osds().values()) {
            if (x.uuid().equals(uuid)) {
                o = x;
            }
        }
        if (o == null && c.has("id")) {
            o = s.osdmap.osd(c.integer("id"));
            if (o != null && !o.uuid().isEmpty() && !o.uuid().equals(uuid)) {
                throw new CommandException(Errno.EEXIST, "osd." + o.id() + " exists with another uuid " + o.uuid());
            }
        }
        if (o != null && o.up() && o.address().equals(addr)) {
            s.pgStats.beacon(o.id(), c.stamp());
            return MonReply.ok("osd." + o.id() + " already up", data().put("osdid", o.id()), s.epoch());
        }
        if (s.osdmap.isSet(ClusterFlag.NOUP)) {
            throw new CommandException(Errno.EAGAIN, "noup flag is set; osd boot held back");
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        boolean isNew = o == null || CrushEditor.parentOf(s.osdmap.crush(), o.id()) == null;
        int id = o == null ? (c.has("id") ? c.integer("id") : lowestFreeId(s.osdmap)) : o.id();
        OsdState base = o == null ? OsdState.created(id, uuid) : o;
        OsdState next = base.withUp(addr, host, inc.epoch);
        if (isNew) {
            CrushMap crush = CrushCodec.copy(s.osdmap.crush());
            CrushEditor.addOsd(crush, id, c.str("device_class", "hdd"), CrushEditor.weightForCapacity(c.lng("capacity", 0)), host);
            inc.newCrush = crush;
            if (!s.osdmap.isSet(ClusterFlag.NOIN)) {
                next = next.withWeight(OsdState.WEIGHT_IN);
            }
        }
        inc.newOsds.put(id, next);
        inc.newMaxOsd = Math.max(s.osdmap.maxOsd(), id + 1);
        s.failures.remove(id);
        s.pgStats.beacon(id, c.stamp());
        s.commit(inc);
        return MonReply.ok("osd." + id + " boot", data().put("osdid", id), s.epoch());
    }

    /**
     * A peer reports {@code target} failed (or recovered). Reports are replicated state, so a leader
     * change loses none. When reporters from enough distinct failure domains agree, the target is
     * marked down (unless nodown is set) and its reports are cleared.
     */
    private static MonReply failure(MonState s, Cmd c) throws CommandException {
        int target = osdId(s, c.str("target"));
        int reporter = osdId(s, c.str("reporter"));
        OsdState t = s.osdmap.osd(target);
        if (!c.bool("failed")) {
            TreeMap<Integer, Long> reps = s.failures.get(target);
            if (reps != null && reps.remove(reporter) != null && reps.isEmpty()) {
                s.failures.remove(target);
            }
            return MonReply.ok("", null, s.epoch());
        }
        if (!t.up() || target == reporter || !s.osdmap.osd(reporter).up()) {
            return MonReply.ok("report ignored", null, s.epoch());
        }
        if (c.has("epoch")) {
            // Sent at the reporter's map epoch. A report older than the reporter's current up_from comes
            // from before it was marked down (it may have sat in a monitor's queue while the reporter was
            // cut off), and one older than the target's up_from is about the target's previous life: Ceph
            // ignores both (OSDMonitor::preprocess_failure, "from dead osd" and "dup/old"). Found by
            // packet-loss (seed 7611029335041956332): after the heal, reports osd.2 had queued while its
            // host was silent marked osd.0 and osd.1 down two and three times.
            long sent = c.lng("epoch");
            long reporterUpFrom = s.osdmap.osd(reporter).upFrom();
            if (sent < reporterUpFrom || sent < t.upFrom()) {
                return MonReply.ok("report ignored: sent at e" + sent + ", before osd." + (sent < reporterUpFrom
                        ? reporter + " came up at e" + reporterUpFrom : target + " came up at e" + t.upFrom()), null, s.epoch());
            }
        }
        long now = c.stamp();
        TreeMap<Integer, Long> reps = s.failures.computeIfAbsent(target, k -> new TreeMap<>());
        reps.put(reporter, now);
        reps.values().removeIf(stamp -> now - stamp > FAILURE_REPORT_MAX_AGE_MS);
        boolean byHost = s.option(MonOptions.REPORTER_SUBTREE_LEVEL).equals("host");
        TreeSet<String> domains = new TreeSet<>();
        for (int r : reps.keySet()) {
            OsdState ro = s.osdmap.osd(r);
            if (ro != null) {
                domains.add(byHost ? ro.host() : "osd." + r);
            }
        }
        if (byHost) {
            domains.remove(t.host());
        }
        long needed = s.longOption(MonOptions.MIN_DOWN_REPORTERS);
        if (domains.size() < needed) {
            return MonReply.ok("failure of osd." + target + " reported by " + domains.size() + "/" + needed, null, s.epoch());
        }
        if (s.osdmap.isSet(ClusterFlag.NODOWN)) {
            return MonReply.ok("nodown set; osd." + target + " stays up", null, s.epoch());
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newOsds.put(target, t.withDown(inc.epoch, c.stamp()));
        s.failures.remove(target);
        s.commit(inc);
        return MonReply.ok("osd." + target + " marked down after " + domains.size() + " reporters", null, s.epoch());
    }

    /**
     * Ceph's MOSDAlive (OSDMonitor::prepare_alive): osd.N, primary of PGs in intervals that started
     * at or after its up_thru, asks to be recorded alive through epoch {@code want} so those PGs may
     * go active. Sets up_thru to the current epoch (one new epoch); a request from an earlier
     * incarnation ({@code up_from} differs), from a down OSD, or already satisfied changes nothing.
     */
    private static MonReply alive(MonState s, Cmd c) throws CommandException {
        int id = osdId(s, c.str("osd"));
        long want = c.lng("want");
        OsdState o = s.osdmap.osd(id);
        if (want < 1 || want > s.epoch()) {
            throw new CommandException(Errno.EINVAL, "osd alive: want e" + want + " outside e1..e" + s.epoch());
        }
        if (!o.up() || (c.has("up_from") && c.lng("up_from") != o.upFrom())) {
            return MonReply.ok("osd." + id + " is not up as that instance; alive ignored",
                    data().put("up_thru", o.upThru()), s.epoch());
        }
        if (o.upThru() >= want) {
            return MonReply.ok("", data().put("up_thru", o.upThru()), s.epoch());
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newOsds.put(id, o.withUpThru(s.epoch()));
        s.commit(inc);
        return MonReply.ok("osd." + id + " up_thru " + s.osdmap.osd(id).upThru(),
                data().put("up_thru", s.osdmap.osd(id).upThru()), s.epoch());
    }

    /**
     * An OSD shutting down cleanly asks to be marked down (Ceph's MOSDMarkMeDown), so its peers
     * re-peer at once instead of waiting for heartbeats to time out. Only the instance that asks:
     * {@code up_from} must match, or a restarted instance would be marked down by its old self.
     */
    private static MonReply markMeDown(MonState s, Cmd c) throws CommandException {
        int id = osdId(s, c.str("osd"));
        OsdState o = s.osdmap.osd(id);
        if (!o.up() || c.lng("up_from") != o.upFrom()) {
            return MonReply.ok("osd." + id + " is not up as that instance; nothing to mark down", null, s.epoch());
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newOsds.put(id, o.withDown(inc.epoch, c.stamp()));
        s.commit(inc);
        return MonReply.ok("marked down osd." + id + " at its request", null, s.epoch());
    }

    /** An OSD says it is alive; OSDs silent for mon_osd_report_timeout are marked down. */
    private static MonReply beacon(MonState s, Cmd c) throws CommandException {
        int id = osdId(s, c.str("osd"));
        s.pgStats.beacon(id, c.stamp());
        return MonReply.ok("", null, s.epoch());
    }

    /**
     * Marks OSDs down. With {@code report_timeout} (the leader's tick), only those whose last beacon
     * is older than mon_osd_report_timeout at the command's stamp, and never under nodown.
     */
    /**
     * Marks OSDs down; with {@code out} (`osd down --out`: the operator knows the daemon is dead and
     * wants its data re-replicated) also out, in the same epoch: the PGs re-peer once, not once for
     * down and again for out (two CLI calls were two epochs and two peerings of every PG it held).
     */
    private static MonReply down(MonState s, Cmd c) throws CommandException {
        boolean timeout = c.bool("report_timeout");
        boolean alsoOut = c.bool("out");
        if (timeout && s.osdmap.isSet(ClusterFlag.NODOWN)) {
            return MonReply.ok("nodown set", null, s.epoch());
        }
        long timeoutMillis = s.longOption(MonOptions.REPORT_TIMEOUT) * 1000;
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        StringBuilder outs = new StringBuilder();
        for (int id : ids(s, c)) {
            OsdState o = s.osdmap.osd(id);
            if (timeout && c.stamp() - s.pgStats.beacons.getOrDefault(id, 0L) < timeoutMillis) {
                outs.append("osd.").append(id).append(" reported recently. ");
            } else if (o.up()) {
                OsdState next = o.withDown(inc.epoch, c.stamp());
                inc.newOsds.put(id, alsoOut && o.in() ? next.withWeight(OsdState.WEIGHT_OUT) : next);
                outs.append(alsoOut && o.in() ? "marked down and out osd." : "marked down osd.").append(id).append(". ");
            } else if (alsoOut && o.in()) {
                inc.newOsds.put(id, o.withWeight(OsdState.WEIGHT_OUT));
                outs.append("osd.").append(id).append(" is already down; marked out. ");
            } else {
                outs.append("osd.").append(id).append(" is already down. ");
            }
        }
        return commitIfChanged(s, inc, outs);
    }

    /** Marks OSDs out; with {@code auto}, only those down for the whole down-out interval (and never under noout). */
    private static MonReply out(MonState s, Cmd c) throws CommandException {
        boolean auto = c.bool("auto");
        if (auto && s.osdmap.isSet(ClusterFlag.NOOUT)) {
            return MonReply.ok("noout set", null, s.epoch());
        }
        long intervalMillis = s.longOption(MonOptions.DOWN_OUT_INTERVAL) * 1000;
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        StringBuilder outs = new StringBuilder();
        for (int id : ids(s, c)) {
            OsdState o = s.osdmap.osd(id);
            boolean due = !o.up() && c.stamp() - o.downStampMillis() >= intervalMillis;
            if (o.in() && (!auto || due)) {
                inc.newOsds.put(id, o.withWeight(OsdState.WEIGHT_OUT));
                outs.append("marked out osd.").append(id).append(". ");
            } else {
                outs.append("osd.").append(id).append(o.in() ? " not due to be marked out. " : " is already out. ");
            }
        }
        return commitIfChanged(s, inc, outs);
    }

    private static MonReply in(MonState s, Cmd c) throws CommandException {
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        StringBuilder outs = new StringBuilder();
        for (int id : ids(s, c)) {
            OsdState o = s.osdmap.osd(id);
            if (!o.in()) {
                inc.newOsds.put(id, o.withWeight(OsdState.WEIGHT_IN));
                outs.append("marked in osd.").append(id).append(". ");
            } else {
                outs.append("osd.").append(id).append(" is already in. ");
            }
        }
        return commitIfChanged(s, inc, outs);
    }

    private static MonReply rm(MonState s, Cmd c) throws CommandException {
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        CrushMap crush = CrushCodec.copy(s.osdmap.crush());
        StringBuilder outs = new StringBuilder();
        for (int id : ids(s, c)) {
            if (s.osdmap.osd(id).up()) {
                throw new CommandException(Errno.EBUSY, "osd." + id + " is still up; mark it down first: loligo osd down " + id);
            }
            inc.oldOsds.add(id);
            CrushEditor.removeItem(crush, id);
            crush.devices.remove(id);
            s.failures.remove(id);
            s.pgStats.forget(id);
            outs.append("removed osd.").append(id).append(". ");
        }
        inc.newCrush = crush;
        return commitIfChanged(s, inc, outs);
    }

    private static MonReply reweight(MonState s, Cmd c) throws CommandException {
        int id = osdId(s, c.str("id"));
        double w = c.dbl("weight");
        if (w < 0 || w > 1) {
            throw new CommandException(Errno.EINVAL, "reweight " + w + " out of range 0.0..1.0");
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newOsds.put(id, s.osdmap.osd(id).withWeight((int) Math.round(w * OsdState.WEIGHT_IN)));
        return commitIfChanged(s, inc, new StringBuilder("reweighted osd." + id + " to " + w));
    }

    private static MonReply primaryAffinity(MonState s, Cmd c) throws CommandException {
        int id = osdId(s, c.str("id"));
        double w = c.dbl("weight");
        if (w < 0 || w > 1) {
            throw new CommandException(Errno.EINVAL, "primary affinity " + w + " out of range 0.0..1.0");
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newOsds.put(id, s.osdmap.osd(id).withPrimaryAffinity((int) Math.round(w * OsdState.WEIGHT_IN)));
        return commitIfChanged(s, inc, new StringBuilder("set osd." + id + " primary-affinity to " + w));
    }

    private static MonReply flag(MonState s, Cmd c) throws CommandException {
        String key = c.str("key");
        int bits;
        if (key.equals("pause")) {
            bits = ClusterFlag.PAUSERD.bit | ClusterFlag.PAUSEWR.bit;
        } else {
            ClusterFlag f = ClusterFlag.byName(key);
            if (f == null) {
                throw new CommandException(Errno.EINVAL, "unknown flag '" + key + "'; known: pause, "
                        + String.join(", ", ClusterFlag.names(-1)));
            }
            bits = f.bit;
        }
        boolean set = c.prefix().equals("osd set");
        int next = set ? s.osdmap.flags() | bits : s.osdmap.flags() & ~bits;
        if (next == s.osdmap.flags()) {
            return MonReply.ok(key + " is " + (set ? "already set" : "not set"), null, s.epoch());
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newFlags = next;
        s.commit(inc);
        return MonReply.ok(key + " is " + (set ? "set" : "unset"), null, s.epoch());
    }

    private static int itemId(CrushMap crush, String name) throws CommandException {
        for (CrushMap.Device d : crush.devices.values()) {
            if (d.name().equals(name)) {
                return d.id();
            }
        }
        Bucket b = crush.bucketByName(name);
        if (b == null) {
            throw new CommandException(Errno.ENOENT, "no crush item named '" + name + "'");
        }
        return b.id;
    }

    private static MonReply crushReweight(MonState s, Cmd c) throws CommandException {
        String name = c.str("name");
        double w = c.dbl("weight");
        if (w < 0 || w > 10_000) {
            throw new CommandException(Errno.EINVAL, "crush weight " + w + " out of range 0..10000");
        }
        CrushMap crush = CrushCodec.copy(s.osdmap.crush());
        int id = itemId(crush, name);
        if (id < 0 || !CrushEditor.reweightItem(crush, id, (int) Math.round(w * 0x10000))) {
            throw new CommandException(Errno.EINVAL, "'" + name + "' is not a placed device");
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newCrush = crush;
        s.commit(inc);
        return MonReply.ok("reweighted item id " + id + " name '" + name + "' to " + w + " in crush map", null, s.epoch());
    }

    private static MonReply addBucket(MonState s, Cmd c) throws CommandException {
        String name = c.str("name");
        String type = c.str("type");
        CrushMap crush = CrushCodec.copy(s.osdmap.crush());
        int typeId = crush.typeId(type);
        if (typeId <= 0) {
            throw new CommandException(Errno.EINVAL, "unknown bucket type '" + type + "'");
        }
        if (crush.bucketByName(name) != null || name.startsWith("osd.") || name.isEmpty()) {
            throw new CommandException(Errno.EEXIST, "item '" + name + "' exists or is not a valid bucket name");
        }
        CrushEditor.addBucket(crush, name, typeId);
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newCrush = crush;
        s.commit(inc);
        return MonReply.ok("added bucket " + name + " type " + type + " to crush map", null, s.epoch());
    }

    /** {@code osd crush move NAME TYPE=BUCKET}: moves a bucket under the named bucket. */
    private static MonReply crushMove(MonState s, Cmd c) throws CommandException {
        String name = c.str("name");
        CrushMap crush = CrushCodec.copy(s.osdmap.crush());
        Bucket b = crush.bucketByName(name);
        if (b == null) {
            throw new CommandException(Errno.ENOENT, "no crush bucket named '" + name + "'");
        }
        List<String> args = c.list("args");
        if (args.size() != 1 || !args.get(0).contains("=")) {
            throw new CommandException(Errno.EINVAL, "expected one TYPE=BUCKET location, e.g. root=default");
        }
        String[] kv = args.get(0).split("=", 2);
        Bucket target = crush.bucketByName(kv[1]);
        if (target == null || !kv[0].equals(crush.typeName(target.type))) {
            throw new CommandException(Errno.ENOENT, "no bucket '" + kv[1] + "' of type '" + kv[0] + "'");
        }
        if (CrushEditor.contains(crush, b.id, target.id)) {
            throw new CommandException(Errno.EINVAL, "cannot move '" + name + "' under itself");
        }
        CrushEditor.move(crush, b.id, target);
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newCrush = crush;
        s.commit(inc);
        return MonReply.ok("moved item id " + b.id + " name '" + name + "' to location {" + args.get(0) + "} in crush map",
                null, s.epoch());
    }

    private static MonReply setCrushMap(MonState s, Cmd c) throws CommandException {
        CrushMap crush;
        try {
            crush = CrushCodec.decode(new MapReader(Base64.getDecoder().decode(c.str("data"))));
        } catch (MapDecodeException | IllegalArgumentException e) {
            throw new CommandException(Errno.EINVAL, "crush map does not decode: " + e.getMessage());
        }
        for (int osd : s.osdmap.osds().keySet()) {
            if (!crush.devices.containsKey(osd)) {
                throw new CommandException(Errno.EINVAL, "new crush map lacks osd." + osd + " which exists in the osd map");
            }
        }
        for (var r : crush.rules.values()) {
            for (var st : r.steps) {
                if (st.op() == io.loligo.crush.CrushConstants.RULE_TAKE && crush.bucket(st.arg1()) == null && st.arg1() < 0) {
                    throw new CommandException(Errno.EINVAL, "rule " + r.name + " takes missing bucket " + st.arg1());
                }
            }
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newCrush = crush;
        s.commit(inc);
        return MonReply.ok("set crush map", null, s.epoch());
    }

    private static io.loligo.maps.PgId pgid(MonState s, String text) throws CommandException {
        io.loligo.maps.PgId pg = io.loligo.maps.PgId.parse(text);
        if (pg == null) {
            throw new CommandException(Errno.EINVAL, "'" + text + "' is not a pgid (expected POOL.SEEDHEX, e.g. 1.1f)");
        }
        var pool = s.osdmap.pool(pg.pool());
        if (pool == null || Integer.compareUnsigned(pg.seed(), pool.pgNum()) >= 0) {
            throw new CommandException(Errno.ENOENT, "pg " + text + " does not exist");
        }
        return pg;
    }

    /**
     * {@code osd pg-temp PGID [OSD...]}: pins the PG's acting set (what OSDs ask for while they
     * backfill a new up set); no OSDs clears it. One epoch per change.
     */
    private static MonReply pgTemp(MonState s, Cmd c) throws CommandException {
        io.loligo.maps.PgId pg = pgid(s, c.str("pgid"));
        List<Integer> osds = new ArrayList<>();
        for (String id : c.list("id")) {
            int o = osdId(s, id);
            if (osds.contains(o)) {
                throw new CommandException(Errno.EINVAL, "osd." + o + " twice in pg_temp for " + pg);
            }
            osds.add(o);
        }
        if (osds.size() > s.osdmap.pool(pg.pool()).size()) {
            throw new CommandException(Errno.EINVAL, "pg_temp " + osds + " larger than pool size " + s.osdmap.pool(pg.pool()).size());
        }
        List<Integer> current = s.osdmap.pgTemp().getOrDefault(pg, List.of());
        if (current.equals(osds)) {
            return MonReply.ok("pg_temp for " + pg + " unchanged", null, s.epoch());
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newPgTemp.put(pg, osds);
        s.commit(inc);
        return MonReply.ok("set " + pg + " pg_temp mapping to " + osds, null, s.epoch());
    }

    /** {@code osd primary-temp PGID OSD}: overrides the acting primary; -1 clears it. */
    private static MonReply primaryTemp(MonState s, Cmd c) throws CommandException {
        io.loligo.maps.PgId pg = pgid(s, c.str("pgid"));
        int osd = c.integer("id");
        if (osd != -1) {
            osdId(s, String.valueOf(osd));
        }
        Integer current = s.osdmap.primaryTemp().get(pg);
        if (osd == -1 ? current == null : Integer.valueOf(osd).equals(current)) {
            return MonReply.ok("primary_temp for " + pg + " unchanged", null, s.epoch());
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newPrimaryTemp.put(pg, osd);
        s.commit(inc);
        return MonReply.ok("set " + pg + " primary_temp mapping to " + osd, null, s.epoch());
    }

    private static MonReply blocklist(MonState s, Cmd c, boolean add) throws CommandException {
        String addr = c.str("addr");
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        if (add) {
            long expire = c.stamp() + (long) (c.has("expire") ? c.dbl("expire") * 1000 : 3600_000);
            inc.newBlocklist.put(addr, expire);
            s.commit(inc);
            return MonReply.ok("blocklisting " + addr + " until " + expire, null, s.epoch());
        }
        if (!s.osdmap.blocklist().containsKey(addr)) {
            return MonReply.ok(addr + " isn't blocklisted", null, s.epoch());
        }
        inc.oldBlocklist.add(addr);
        s.commit(inc);
        return MonReply.ok("un-blocklisting " + addr, null, s.epoch());
    }

    private static MonReply commitIfChanged(MonState s, OsdMap.Incremental inc, StringBuilder outs) {
        if (!inc.isEmpty()) {
            s.commit(inc);
        }
        return MonReply.ok(outs.toString().trim(), null, s.epoch());
    }
}
