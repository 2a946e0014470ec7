package io.loligo.mon;

import io.loligo.maps.monc.MonReply;
import io.loligo.maps.OsdMap;
import io.loligo.maps.Pool;
import java.util.ArrayList;
import java.util.List;

/** Pool commands that change the OSD map: create, rm, rename, set, set-quota, application enable, mksnap, rmsnap. */
final class PoolCommands {
    static final int PG_NUM_MAX = 65536;

    private PoolCommands() {}

    static MonReply apply(MonState s, Cmd c) throws CommandException {
        return switch (c.prefix()) {
            case "osd pool create" -> create(s, c);
            case "osd pool rm", "osd pool delete" -> rm(s, c);
            case "osd pool rename" -> rename(s, c);
            case "osd pool set" -> set(s, c);
            case "osd pool set-quota" -> setQuota(s, c);
            case "osd pool application enable" -> enableApplication(s, c);
            case "osd pool mksnap" -> mksnap(s, c);
            case "osd pool rmsnap" -> rmsnap(s, c);
            default -> throw new CommandException(Errno.EINVAL, "unknown command '" + c.prefix() + "'");
        };
    }

    static Pool pool(MonState s, String name) throws CommandException {
        Pool p = s.osdmap.poolByName(name);
        if (p == null) {
            throw new CommandException(Errno.ENOENT, "pool '" + name + "' does not exist; list pools with: loligo osd pool ls");
        }
        return p;
    }

    /**
     * The automatic pg_num of a new pool: about {@code mon_target_pg_per_osd} PG replicas per in
     * OSD, shared equally with the existing pools, rounded to the nearest power of two (32 while
     * there are no OSDs yet, Ceph's old default).
     */
    static int autoPgNum(MonState s, int size) {
        int in = s.osdmap.numIn();
        if (in == 0) {
            return 32;
        }
        long budget = in * s.longOption(MonOptions.TARGET_PG_PER_OSD) / size / (s.osdmap.pools().size() + 1);
        int pow = Integer.highestOneBit((int) Math.max(1, Math.min(PG_NUM_MAX, budget)));
        if (pow < PG_NUM_MAX && budget - pow > (pow * 2L) - budget) {
            pow *= 2;
        }
        return Math.max(8, pow);
    }

    private static void checkName(String name) throws CommandException {
        if (name.isEmpty() || name.length() > 128 || name.contains("/") || name.chars().anyMatch(Character::isISOControl)) {
            throw new CommandException(Errno.EINVAL, "invalid pool name '" + name + "'");
        }
    }

    private static MonReply create(MonState s, Cmd c) throws CommandException {
        String name = c.str("pool");
        checkName(name);
        if (s.osdmap.poolByName(name) != null) {
            return MonReply.ok("pool '" + name + "' already exists", null, s.epoch());
        }
        int size = c.integer("size", (int) s.longOption(MonOptions.POOL_DEFAULT_SIZE));
        int minSize = c.integer("min_size", c.has("size") && !c.has("min_size")
                ? Math.max(1, size - size / 2) : (int) Math.min(size, s.longOption(MonOptions.POOL_DEFAULT_MIN_SIZE)));
        if (size < 1 || size > 10 || minSize < 1 || minSize > size) {
            throw new CommandException(Errno.EINVAL, "size " + size + " min_size " + minSize
                    + " invalid (need 1 <= min_size <= size <= 10)");
        }
        int pgNum = c.has("pg_num") && c.integer("pg_num") > 0 ? c.integer("pg_num") : autoPgNum(s, size);
        int pgpNum = c.integer("pgp_num", pgNum);
        if (pgNum < 1 || pgNum > PG_NUM_MAX || pgpNum < 1 || pgpNum > pgNum) {
            throw new CommandException(Errno.ERANGE, "pg_num " + pgNum + " pgp_num " + pgpNum
                    + " invalid (need 1 <= pgp_num <= pg_num <= " + PG_NUM_MAX + ")");
        }
        int rule = ruleId(s, c.str("rule", "replicated_rule"));
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        int id = s.osdmap.poolMax() + 1;
        inc.newPoolMax = id;
        inc.newPools.put(id, new Pool(id, name, Pool.TYPE_REPLICATED, size, minSize, rule, pgNum, pgpNum,
                Pool.FLAG_HASHPSPOOL, Pool.HASH_RJENKINS, List.of(), 0, 0, inc.epoch));
        s.commit(inc);
        return MonReply.ok("pool '" + name + "' created", MonReply.JSON.createObjectNode().put("pool_id", id), s.epoch());
    }

    private static int ruleId(MonState s, String rule) throws CommandException {
        for (var r : s.osdmap.crush().rules.values()) {
            if (r.name.equals(rule) || String.valueOf(r.id).equals(rule)) {
                return r.id;
            }
        }
        throw new CommandException(Errno.ENOENT, "crush rule '" + rule + "' does not exist");
    }

    private static MonReply rm(MonState s, Cmd c) throws CommandException {
        String name = c.str("pool");
        Pool p = s.osdmap.poolByName(name);
        if (p == null) {
            return MonReply.ok("pool '" + name + "' does not exist", null, s.epoch());
        }
        if (!name.equals(c.str("pool2", "")) || !c.bool("yes_i_really_really_mean_it")) {
            throw new CommandException(Errno.EPERM, "WARNING: this will *PERMANENTLY DESTROY* all data stored in pool "
                    + name + ".  If you are *ABSOLUTELY CERTAIN* that is what you want, pass the pool name *twice*, "
                    + "followed by --yes-i-really-really-mean-it.");
        }
        if ((p.flags() & Pool.FLAG_NODELETE) != 0) {
            throw new CommandException(Errno.EPERM, "pool deletion is disabled; you must unset nodelete flag for the pool first");
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.oldPools.add(p.id());
        s.osdmap.pgTemp().keySet().stream().filter(pg -> pg.pool() == p.id()).forEach(pg -> inc.newPgTemp.put(pg, List.of()));
        s.osdmap.primaryTemp().keySet().stream().filter(pg -> pg.pool() == p.id())
                .forEach(pg -> inc.newPrimaryTemp.put(pg, -1));
        s.commit(inc);
        return MonReply.ok("pool '" + name + "' removed", null, s.epoch());
    }

    private static MonReply rename(MonState s, Cmd c) throws CommandException {
        String from = c.str("srcpool");
        String to = c.str("destpool");
        checkName(to);
        Pool p = pool(s, from);
        if (s.osdmap.poolByName(to) != null) {
            throw new CommandException(Errno.EEXIST, "pool '" + to + "' already exists");
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newPools.put(p.id(), p.withName(to, inc.epoch));
        s.commit(inc);
        return MonReply.ok("pool '" + from + "' renamed to '" + to + "'", null, s.epoch());
    }

    private static MonReply set(MonState s, Cmd c) throws CommandException {
        Pool p = pool(s, c.str("pool"));
        String var = c.str("var");
        long e = s.epoch() + 1;
        Pool next = switch (var) {
            case "size" -> {
                int size = c.integer("val");
                if (size < 1 || size > 10) {
                    throw new CommandException(Errno.EINVAL, "pool size " + size + " out of range 1..10");
                }
                yield p.withSizes(size, Math.min(p.minSize(), size), e);
            }
            case "min_size" -> {
                int min = c.integer("val");
                if (min < 1 || min > p.size()) {
                    throw new CommandException(Errno.EINVAL, "pool min_size must be between 1 and size, which is " + p.size());
                }
                yield p.withSizes(p.size(), min, e);
            }
            case "pg_num", "pgp_num" -> setPgs(p, var, c.integer("val"), e);
            case "crush_rule" -> p.withCrushRule(ruleId(s, c.str("val")), e);
            case "nodelete", "nopgchange", "nosizechange", "hashpspool" -> {
                long bit = switch (var) {
                    case "nodelete" -> Pool.FLAG_NODELETE;
                    case "nopgchange" -> Pool.FLAG_NOPGCHANGE;
                    case "nosizechange" -> Pool.FLAG_NOSIZECHANGE;
                    default -> Pool.FLAG_HASHPSPOOL;
                };
                String v = c.str("val");
                boolean on = v.equals("true") || v.equals("1");
                if (!on && !v.equals("false") && !v.equals("0")) {
                    throw new CommandException(Errno.EINVAL, "expecting value 'true', 'false', '0', or '1'");
                }
                yield p.withFlags(on ? p.flags() | bit : p.flags() & ~bit, e);
            }
            default -> throw new CommandException(Errno.EINVAL, "unknown pool variable '" + var
                    + "'; settable: size, min_size, pg_num, pgp_num, crush_rule, nodelete, nopgchange, nosizechange, hashpspool");
        };
        if ((p.flags() & Pool.FLAG_NOSIZECHANGE) != 0 && (var.equals("size") || var.equals("min_size"))) {
            throw new CommandException(Errno.EPERM, "pool size change is disabled; you must unset nosizechange flag for the pool first");
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newPools.put(p.id(), next);
        s.commit(inc);
        return MonReply.ok("set pool " + p.id() + " " + var + " to " + c.str("val"), null, s.epoch());
    }

    private static Pool setPgs(Pool p, String var, int n, long epoch) throws CommandException {
        if ((p.flags() & Pool.FLAG_NOPGCHANGE) != 0) {
            throw new CommandException(Errno.EPERM, "pool pg_num change is disabled; you must unset nopgchange flag for the pool first");
        }
        if (n < 1 || n > PG_NUM_MAX) {
            throw new CommandException(Errno.ERANGE, var + " " + n + " out of range 1.." + PG_NUM_MAX);
        }
        if (var.equals("pg_num")) {
            int pgp = p.pgpNum() == p.pgNum() ? n : Math.min(p.pgpNum(), n);   // pgp_num follows pg_num, as Ceph does since Nautilus
            return p.withPgs(n, pgp, epoch);
        }
        if (n > p.pgNum()) {
            throw new CommandException(Errno.EINVAL, "specified pgp_num " + n + " > pg_num " + p.pgNum());
        }
        return p.withPgs(p.pgNum(), n, epoch);
    }

    private static MonReply setQuota(MonState s, Cmd c) throws CommandException {
        Pool p = pool(s, c.str("pool"));
        String field = c.str("field");
        long val = c.lng("val");
        if (val < 0) {
            throw new CommandException(Errno.EINVAL, "quota " + val + " < 0");
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        switch (field) {
            case "max_bytes" -> inc.newPools.put(p.id(), p.withQuotas(val, p.quotaMaxObjects(), inc.epoch));
            case "max_objects" -> inc.newPools.put(p.id(), p.withQuotas(p.quotaMaxBytes(), val, inc.epoch));
            default -> throw new CommandException(Errno.EINVAL, "quota field '" + field + "': expected max_bytes or max_objects");
        }
        s.commit(inc);
        return MonReply.ok("set-quota " + field + " = " + val + " for pool " + p.name(), null, s.epoch());
    }

    private static MonReply enableApplication(MonState s, Cmd c) throws CommandException {
        Pool p = pool(s, c.str("pool"));
        String app = c.str("app");
        if (app.isEmpty() || app.length() > 128) {
            throw new CommandException(Errno.EINVAL, "invalid application name '" + app + "'");
        }
        if (p.applications().contains(app)) {
            return MonReply.ok("application '" + app + "' already enabled on pool '" + p.name() + "'", null, s.epoch());
        }
        List<String> apps = new ArrayList<>(p.applications());
        apps.add(app);
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newPools.put(p.id(), p.withApplications(apps, inc.epoch));
        s.commit(inc);
        return MonReply.ok("enabled application '" + app + "' on pool '" + p.name() + "'", null, s.epoch());
    }

    /**
     * {@code osd pool mksnap POOL SNAP}: a pool snapshot with the next snap id (Ceph's: an existing
     * name is answered 0 with a message). The reply's data holds {@code snapid}.
     */
    private static MonReply mksnap(MonState s, Cmd c) throws CommandException {
        Pool p = pool(s, c.str("pool"));
        String name = c.str("snap");
        if (name.isEmpty() || name.length() > 128 || name.chars().anyMatch(Character::isISOControl)) {
            throw new CommandException(Errno.EINVAL, "invalid snap name '" + name + "' (1..128 printable characters)");
        }
        io.loligo.maps.PoolSnaps snaps = p.snapshots();
        io.loligo.maps.PoolSnaps.Snap existing = snaps.byName(name);
        if (existing != null) {
            return MonReply.ok("pool " + p.name() + " snap " + name + " already exists",
                    MonReply.JSON.createObjectNode().put("snapid", existing.id()), s.epoch());
        }
        if (snaps.snaps().size() >= io.loligo.maps.PoolSnaps.SNAPS_MAX) {
            throw new CommandException(Errno.ERANGE, "pool " + p.name() + " has " + snaps.snaps().size()
                    + " snapshots, the most allowed; remove some with: loligo osd pool rmsnap " + p.name() + " SNAP");
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        io.loligo.maps.PoolSnaps next = snaps.withSnap(name, c.stamp());
        inc.newPools.put(p.id(), p.withSnaps(next, inc.epoch));
        s.commit(inc);
        return MonReply.ok("created pool " + p.name() + " snap " + name,
                MonReply.JSON.createObjectNode().put("snapid", next.seq()), s.epoch());
    }

    /** {@code osd pool rmsnap POOL SNAP}: the id joins removed_snaps; OSDs trim the clones (a missing name is answered 0). */
    private static MonReply rmsnap(MonState s, Cmd c) throws CommandException {
        Pool p = pool(s, c.str("pool"));
        String name = c.str("snap");
        io.loligo.maps.PoolSnaps.Snap snap = p.snapshots().byName(name);
        if (snap == null) {
            return MonReply.ok("pool " + p.name() + " snap " + name + " does not exist", null, s.epoch());
        }
        OsdMap.Incremental inc = s.osdmap.newIncremental(c.stamp());
        inc.newPools.put(p.id(), p.withSnaps(p.snapshots().withoutSnap(snap.id()), inc.epoch));
        s.commit(inc);
        return MonReply.ok("removed pool " + p.name() + " snap " + name,
                MonReply.JSON.createObjectNode().put("snapid", snap.id()), s.epoch());
    }
}
