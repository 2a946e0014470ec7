package io.loligo.osd.pg;

import io.loligo.common.Invariants;
import io.loligo.messages.Eversion;
import io.loligo.messages.ObjectRef;
import io.loligo.messages.PgLogEntry;
import io.loligo.messages.ReqId;
import io.loligo.msg.Decoder;
import io.loligo.msg.Encoder;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.objectstore.Transaction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/*
 * On disk, in the omap of the PG's meta object (namespace "\0pg", name "pgmeta", hash = seed, in the
 * PG's own collection):
 *   "info"                      struct(2, compat 1) { eversion lastUpdate, eversion logTail, u64 lastEpochStarted;
 *                                 v2: bool backfilling (objects partial until the authoritative log arrives) }
 *   "log." + 16 hex epoch + "." + 16 hex version    PgLogEntry.toBytes() (struct version 1)
 *   "missing." + base64url(ObjectRef encoding)   ObjectRef encoding: an object the log describes but the
 *                                                 store lacks (recovery under way); removed once pushed
 * Log keys sort in version order. Entries at or below logTail have been trimmed.
 */
/**
 * A PG's log (Ceph's PGLog): the last {@code entriesMax} writes in version order (default {@link
 * #ENTRIES_MAX}, option {@code osd_max_pg_log_entries}), the PG's info
 * (last update, log tail, last epoch started) and the index of request ids used to answer resends.
 * Changes are added to the caller's transaction, so the log entry and the change it describes are
 * durable together. Used from the PG's shard thread only.
 */
public final class PgLog {
    /** Default log length: with 100 PGs per OSD and ~200 B per entry, 60 MB of RocksDB and ~300 s of 1k writes/s/PG. */
    public static final int ENTRIES_MAX = 3000;
    public static final String META_NAMESPACE = "\u0000pg";
    public static final String META_NAME = "pgmeta";
    static final String INFO_KEY = "info";

    private final int entriesMax;
    private final ArrayDeque<PgLogEntry> entries = new ArrayDeque<>();
    private final Map<ReqId, PgLogEntry> byReqid = new HashMap<>();
    private Eversion lastUpdate = Eversion.ZERO;
    private Eversion tail = Eversion.ZERO;
    private long lastEpochStarted;
    private boolean backfilling;
    static final String MISSING_PREFIX = "missing.";
    private final java.util.LinkedHashMap<ObjectRef, String> missing = new java.util.LinkedHashMap<>();

    public PgLog(int entriesMax) {
        if (entriesMax < 1) {
            throw new IllegalArgumentException("pg log length " + entriesMax + " (expected: 1+)");
        }
        this.entriesMax = entriesMax;
    }

    public static ObjectId metaOid(CollectionId coll) {
        return new ObjectId(coll.pool(), META_NAMESPACE, META_NAME, coll.seed());
    }

    static String key(Eversion v) {
        // Two of these per write on every member: String.format's parsing showed in the OSD's profile.
        char[] k = new char[4 + 16 + 1 + 16];
        "log.".getChars(0, 4, k, 0);
        hex16(v.epoch(), k, 4);
        k[20] = '.';
        hex16(v.version(), k, 21);
        return new String(k);
    }

    private static void hex16(long value, char[] out, int at) {
        for (int i = 15; i >= 0; i--, value >>>= 4) {
            out[at + i] = Character.forDigit((int) (value & 0xf), 16);
        }
    }

    /** Loads the log of {@code coll} from the store (empty when the PG is new). */
    public static PgLog load(ObjectStore store, CollectionId coll, int entriesMax) {
        PgLog log = new PgLog(entriesMax);
        ObjectId meta = metaOid(coll);
        if (!store.exists(coll, meta)) {
            return log;
        }
        SortedMap<String, byte[]> info = store.omapGet(coll, meta, List.of(INFO_KEY));
        if (info.containsKey(INFO_KEY)) {
            Decoder in = Decoder.of(info.get(INFO_KEY));
            int version = in.startStruct(2);
            log.lastUpdate = Eversion.decode(in);
            log.tail = Eversion.decode(in);
            log.lastEpochStarted = in.getLong();
            log.backfilling = version >= 2 && in.getBoolean();
            in.endStruct();
        }
        String afterMissing = null;
        while (true) {
            ObjectStore.OmapPage page = store.omapList(coll, meta, afterMissing, MISSING_PREFIX, 1000);
            for (Map.Entry<String, byte[]> e : page.entries().entrySet()) {
                log.missing.put(ObjectRef.decode(Decoder.of(e.getValue())), e.getKey());
                afterMissing = e.getKey();
            }
            if (!page.more()) {
                break;
            }
        }
        String after = null;
        while (true) {
            ObjectStore.OmapPage page = store.omapList(coll, meta, after, "log.", 1000);
            for (Map.Entry<String, byte[]> e : page.entries().entrySet()) {
                log.index(PgLogEntry.fromBytes(e.getValue()));
                after = e.getKey();
            }
            if (!page.more()) {
                break;
            }
        }
        return log;
    }

    /**
     * Replaces this log's in-memory state with what the store holds: after the store refused a
     * transaction this log had already been changed for (a full store), memory and disk agree again.
     * The caller waits until no transaction of the PG is in flight.
     */
    public void reloadFrom(ObjectStore store, CollectionId coll) {
        PgLog disk = load(store, coll, entriesMax);
        entries.clear();
        entries.addAll(disk.entries);
        byReqid.clear();
        byReqid.putAll(disk.byReqid);
        missing.clear();
        missing.putAll(disk.missing);
        lastUpdate = disk.lastUpdate;
        tail = disk.tail;
        lastEpochStarted = disk.lastEpochStarted;
        backfilling = disk.backfilling;
    }

    private void index(PgLogEntry e) {
        entries.addLast(e);
        byReqid.put(e.reqid(), e);
    }

    public Eversion lastUpdate() {
        return lastUpdate;
    }

    public Eversion tail() {
        return tail;
    }

    public long lastEpochStarted() {
        return lastEpochStarted;
    }

    /** Whether a backfill emptied this copy and has not finished (Ceph's last_backfill != MAX). */
    public boolean backfilling() {
        return backfilling;
    }

    /** Objects the log describes that the store lacks (a recovery was under way), oldest first. */
    public List<ObjectRef> missing() {
        return new ArrayList<>(missing.keySet());
    }

    public boolean isMissing(ObjectRef ref) {
        return missing.containsKey(ref);
    }

    /** Records {@code refs} as missing (durably, in {@code txn}). */
    public void addMissing(java.util.Collection<ObjectRef> refs, CollectionId coll, Transaction txn) {
        TreeMap<String, byte[]> set = new TreeMap<>();
        for (ObjectRef r : refs) {
            byte[] b = Encoder.toBytes(r::encode);
            String key = MISSING_PREFIX + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            if (missing.putIfAbsent(r, key) == null) {
                set.put(key, b);
            }
        }
        if (!set.isEmpty()) {
            txn.touch(coll, metaOid(coll));
            txn.omapSet(coll, metaOid(coll), set);
        }
    }

    /** Forgets {@code refs} as missing (they were recovered, in {@code txn}). */
    public void removeMissing(java.util.Collection<ObjectRef> refs, CollectionId coll, Transaction txn) {
        List<String> keys = new ArrayList<>();
        for (ObjectRef r : refs) {
            String key = missing.remove(r);
            if (key != null) {
                keys.add(key);
            }
        }
        if (!keys.isEmpty()) {
            txn.omapRmKeys(coll, metaOid(coll), keys);
        }
    }

    public List<PgLogEntry> entries() {
        return new ArrayList<>(entries);
    }

    public PgLogEntry findReqid(ReqId reqid) {
        return byReqid.get(reqid);
    }

    /** Entries newer than {@code since}, in order. */
    public List<PgLogEntry> entriesAfter(Eversion since) {
        List<PgLogEntry> out = new ArrayList<>();
        for (PgLogEntry e : entries) {
            if (e.version().isNewerThan(since)) {
                out.add(e);
            }
        }
        return out;
    }

    /** Appends {@code entry} (newer than everything logged) and adds it, the new info and any trimming to {@code txn}. */
    public void append(PgLogEntry entry, CollectionId coll, Transaction txn) {
        Invariants.check(entry.version().isNewerThan(lastUpdate), "pg %s: log entry %s not after last update %s",
                coll, entry.version(), lastUpdate);
        index(entry);
        lastUpdate = entry.version();
        TreeMap<String, byte[]> set = new TreeMap<>();
        set.put(key(entry.version()), entry.toBytes());
        List<String> trimmed = new ArrayList<>();
        while (entries.size() > entriesMax) {
            PgLogEntry old = entries.removeFirst();
            if (byReqid.get(old.reqid()) == old) {
                byReqid.remove(old.reqid());
            }
            tail = old.version();
            trimmed.add(key(old.version()));
        }
        set.put(INFO_KEY, infoBytes());
        ObjectId meta = metaOid(coll);
        txn.omapSet(coll, meta, set);
        if (!trimmed.isEmpty()) {
            txn.omapRmKeys(coll, meta, trimmed);
        }
    }

    /** Replaces the whole log and info (recovery made this member match the authoritative history). */
    public void reset(List<PgLogEntry> newEntries, Eversion newLastUpdate, Eversion newTail, CollectionId coll,
                      Transaction txn) {
        ObjectId meta = metaOid(coll);
        List<String> old = new ArrayList<>();
        for (PgLogEntry e : entries) {
            old.add(key(e.version()));
        }
        entries.clear();
        byReqid.clear();
        TreeMap<String, byte[]> set = new TreeMap<>();
        for (PgLogEntry e : newEntries) {
            index(e);
            old.remove(key(e.version()));
            set.put(key(e.version()), e.toBytes());
        }
        lastUpdate = newLastUpdate;
        tail = newTail;
        backfilling = false;
        old.addAll(missing.values());
        missing.clear();
        set.put(INFO_KEY, infoBytes());
        txn.touch(coll, meta);
        if (!old.isEmpty()) {
            txn.omapRmKeys(coll, meta, old);
        }
        txn.omapSet(coll, meta, set);
    }

    /** Records that the PG went active in {@code epoch}. */
    public void setLastEpochStarted(long epoch, CollectionId coll, Transaction txn) {
        lastEpochStarted = epoch;
        TreeMap<String, byte[]> set = new TreeMap<>();
        set.put(INFO_KEY, infoBytes());
        txn.touch(coll, metaOid(coll));
        txn.omapSet(coll, metaOid(coll), set);
    }

    /** Records, in the transaction that empties the collection, that a backfill has started (or, false, ended). */
    public void setBackfilling(CollectionId coll, Transaction txn) {
        setBackfilling(true, coll, txn);
    }

    public void setBackfilling(boolean on, CollectionId coll, Transaction txn) {
        backfilling = on;
        TreeMap<String, byte[]> set = new TreeMap<>();
        set.put(INFO_KEY, infoBytes());
        txn.touch(coll, metaOid(coll));
        txn.omapSet(coll, metaOid(coll), set);
    }

    private byte[] infoBytes() {
        return Encoder.toBytes(out -> out.struct(2, 1, o -> {
            lastUpdate.encode(o);
            tail.encode(o);
            o.putLong(lastEpochStarted);
            o.putBoolean(backfilling);
        }));
    }
}
