package io.loligo.osd.scrub;

import io.loligo.messages.Eversion;
import io.loligo.messages.ObjectRef;
import io.loligo.messages.ScrubMapEntry;
import io.loligo.osd.objectstore.ChecksumMismatchException;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.objectstore.StoreException;
import io.loligo.osd.pg.ObjectInfo;
import io.loligo.osd.pg.PgObjects;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.zip.CRC32C;

/**
 * Builds one member's scrub map of a chunk from its store (Ceph's PGBackend::be_scan_list): per
 * client object its size, version, and CRC32C digests of its xattrs and omap; a deep scan also
 * reads all data (1 MiB at a time) and digests it. The store verifies each block's checksum while
 * reading, so a damaged copy shows as {@link ScrubMapEntry#READ_ERROR}, never as a crash.
 */
public final class ScrubMaps {
    static final int READ_BYTES = 1 << 20;

    private ScrubMaps() {}

    /** The objects of {@code coll} after {@code start} (exclusive) up to {@code end} (inclusive), at most {@code max}. */
    public static List<ScrubMapEntry> scan(ObjectStore store, CollectionId coll, Optional<ObjectId> start,
                                           Optional<ObjectId> end, int max, boolean deep) {
        List<ScrubMapEntry> out = new ArrayList<>();
        ObjectId cursor = start.orElse(null);
        while (out.size() < max) {
            ObjectStore.ObjectPage page = store.list(coll, cursor, Math.min(1000, max - out.size() + 1));
            for (ObjectId oid : page.objects()) {
                cursor = oid;
                if (end.isPresent() && oid.compareTo(end.get()) > 0) {
                    return out;
                }
                if (!PgObjects.isInternal(oid)) {
                    out.add(entry(store, coll, oid, deep));
                    if (out.size() >= max) {
                        return out;
                    }
                }
            }
            if (page.next().isEmpty()) {
                return out;
            }
        }
        return out;
    }

    /**
     * Most logical bytes in one chunk (at least one object): a deep scrub reads the chunk on the PG's
     * shard thread, which also serves other PGs' client ops, so a chunk of 25 × 4 MiB objects would
     * hold them up for a second on a slow disk; 8 MiB is tens of milliseconds.
     */
    public static final long CHUNK_BYTES_MAX = 8L << 20;

    /**
     * The chunk's members on the primary: the client objects after {@code start}, at most {@code
     * max} of them and (after the first) at most {@link #CHUNK_BYTES_MAX} bytes. Returns them and
     * whether the listing stopped early (more objects follow).
     */
    public record Chunk(List<ObjectId> objects, boolean more) {}

    public static Chunk listChunk(ObjectStore store, CollectionId coll, Optional<ObjectId> start, int max) {
        List<ObjectId> out = new ArrayList<>();
        ObjectId cursor = start.orElse(null);
        long bytes = 0;
        while (true) {
            ObjectStore.ObjectPage page = store.list(coll, cursor, max - out.size() + 1);
            for (ObjectId oid : page.objects()) {
                cursor = oid;
                if (!PgObjects.isInternal(oid)) {
                    out.add(oid);
                    bytes += size(store, coll, oid);
                    if (out.size() >= max || bytes >= CHUNK_BYTES_MAX) {
                        return new Chunk(out, true);
                    }
                }
            }
            if (page.next().isEmpty()) {
                return new Chunk(out, false);
            }
        }
    }

    private static long size(ObjectStore store, CollectionId coll, ObjectId oid) {
        try {
            return store.stat(coll, oid).size();
        } catch (StoreException e) {
            return 0;   // the scrub map reports it
        }
    }

    static ScrubMapEntry entry(ObjectStore store, CollectionId coll, ObjectId oid, boolean deep) {
        ObjectRef ref = PgObjects.ref(oid);
        long size;
        SortedMap<String, byte[]> attrs;
        int errors = 0;
        try {
            size = store.stat(coll, oid).size();
            attrs = store.getattrs(coll, oid);
        } catch (StoreException e) {
            return new ScrubMapEntry(ref, 0, Eversion.ZERO, 0, 0, deep, 0, ScrubMapEntry.STAT_ERROR);
        }
        byte[] oi = attrs.get(ObjectInfo.ATTR);
        Eversion version = Eversion.ZERO;
        if (oi == null) {
            errors |= ScrubMapEntry.INFO_MISSING;
        } else {
            try {
                version = ObjectInfo.decode(oi).version();
            } catch (RuntimeException e) {
                errors |= ScrubMapEntry.INFO_MISSING;
            }
        }
        int omapDigest;
        try {
            omapDigest = omapDigest(store, coll, oid);
        } catch (StoreException e) {
            omapDigest = 0;
            errors |= ScrubMapEntry.STAT_ERROR;
        }
        int dataDigest = 0;
        if (deep) {
            try {
                dataDigest = dataDigest(store, coll, oid, size);
            } catch (ChecksumMismatchException e) {
                errors |= ScrubMapEntry.READ_ERROR;
            } catch (StoreException e) {
                errors |= ScrubMapEntry.READ_ERROR;
            }
        }
        return new ScrubMapEntry(ref, size, version, attrsDigest(attrs), omapDigest, deep, dataDigest, errors);
    }

    static int dataDigest(ObjectStore store, CollectionId coll, ObjectId oid, long size) {
        CRC32C crc = new CRC32C();
        for (long off = 0; off < size; off += READ_BYTES) {
            crc.update(store.read(coll, oid, off, (int) Math.min(READ_BYTES, size - off)));
        }
        return (int) crc.getValue();
    }

    /** Client-visible and internal xattrs except the object info (compared on its own, as the version). */
    static int attrsDigest(SortedMap<String, byte[]> attrs) {
        CRC32C crc = new CRC32C();
        for (Map.Entry<String, byte[]> e : attrs.entrySet()) {
            if (!e.getKey().equals(ObjectInfo.ATTR)) {
                digestKv(crc, e.getKey(), e.getValue());
            }
        }
        return (int) crc.getValue();
    }

    static int omapDigest(ObjectStore store, CollectionId coll, ObjectId oid) {
        CRC32C crc = new CRC32C();
        byte[] header = store.omapHeader(coll, oid);
        digestKv(crc, "", header);
        String after = null;
        while (true) {
            ObjectStore.OmapPage page = store.omapList(coll, oid, after, "", 1000);
            for (Map.Entry<String, byte[]> e : page.entries().entrySet()) {
                digestKv(crc, e.getKey(), e.getValue());
                after = e.getKey();
            }
            if (!page.more() || page.entries().isEmpty()) {
                return (int) crc.getValue();
            }
        }
    }

    private static void digestKv(CRC32C crc, String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        crc.update(new byte[] {(byte) (k.length >>> 24), (byte) (k.length >>> 16), (byte) (k.length >>> 8), (byte) k.length});
        crc.update(k);
        crc.update(new byte[] {(byte) (value.length >>> 24), (byte) (value.length >>> 16), (byte) (value.length >>> 8),
            (byte) value.length});
        crc.update(value);
    }
}
