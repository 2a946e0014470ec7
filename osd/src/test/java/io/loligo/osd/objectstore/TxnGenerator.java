package io.loligo.osd.objectstore;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Seeded random transactions over a small set of objects in pool 1, mostly valid against the model
 * it is handed (so most of them commit), with a sprinkling of failing ones. The same seed and the
 * same model history give the same transactions, which is what lets a crash test regenerate the
 * transactions a killed child process ran.
 */
final class TxnGenerator {
    static final long POOL = 1;
    static final int OBJECTS = 24;
    static final int DATA_BYTES_MAX = 384 << 10;

    private final SplittableRandom random;
    private final boolean collectionOps;

    TxnGenerator(long seed, boolean collectionOps) {
        this.random = new SplittableRandom(seed);
        this.collectionOps = collectionOps;
    }

    static ObjectId object(int i) {
        String name = "obj-" + i;
        return new ObjectId(POOL, i % 5 == 0 ? "ns" : "", name, name.hashCode() * 0x9E3779B1);
    }

    /** The first transaction: the collections every later one uses. */
    static Transaction setup() {
        return new Transaction()
                .createCollection(new CollectionId(POOL, 0), 1)
                .createCollection(new CollectionId(POOL, 1), 1);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private int length() {
        return switch (random.nextInt(10)) {
            case 0, 1, 2, 3 -> 1 + random.nextInt(4096);
            case 4, 5, 6 -> 1 + random.nextInt(64 << 10);
            case 7 -> 0;
            default -> (64 << 10) + random.nextInt(192 << 10);
        };
    }

    private long offset() {
        return random.nextInt(4) == 0 ? random.nextInt(16) * 4096L : random.nextInt(DATA_BYTES_MAX - (256 << 10));
    }

    Transaction next(ModelStore model) {
        Transaction txn = new Transaction();
        int ops = 1 + random.nextInt(4);
        for (int i = 0; i < ops; i++) {
            addOp(txn, model);
        }
        return txn;
    }

    private void addOp(Transaction txn, ModelStore model) {
        ObjectId oid = object(random.nextInt(OBJECTS));
        CollectionId c = model.collectionOf(oid);
        if (c == null) {
            c = new CollectionId(POOL, 0);
        }
        switch (random.nextInt(collectionOps ? 20 : 19)) {
            case 0, 1, 2, 3 -> txn.write(c, oid, offset(), bytes(length()));
            case 4 -> txn.writeFull(c, oid, bytes(length()));
            case 5 -> txn.append(c, oid, bytes(Math.min(length(), 32 << 10)));
            case 6 -> txn.zero(c, oid, offset(), random.nextInt(80 << 10));
            case 7 -> txn.truncate(c, oid, random.nextInt(DATA_BYTES_MAX));
            case 8 -> txn.remove(c, oid);
            case 9 -> txn.clone(c, oid, object(random.nextInt(OBJECTS)));
            case 10 -> txn.cloneRange(c, oid, offset(), random.nextInt(96 << 10), object(random.nextInt(OBJECTS)), offset());
            case 11 -> txn.setAttr(c, oid, "a" + random.nextInt(4), bytes(random.nextInt(40)));
            case 12 -> txn.rmAttr(c, oid, "a" + random.nextInt(4));
            case 13, 14 -> {
                TreeMap<String, byte[]> kv = new TreeMap<>();
                for (int k = random.nextInt(6); k >= 0; k--) {
                    kv.put(omapKey(), bytes(random.nextInt(100)));
                }
                txn.omapSet(c, oid, kv);
            }
            case 15 -> txn.omapRmKeys(c, oid, List.of(omapKey(), omapKey()));
            case 16 -> txn.omapRmRange(c, oid, omapKey(), omapKey());
            case 17 -> txn.omapSetHeader(c, oid, bytes(random.nextInt(20)));
            case 18 -> {
                if (random.nextInt(4) == 0) {
                    txn.omapClear(c, oid);
                } else {
                    txn.touch(c, oid);
                }
            }
            default -> collectionOp(txn, model);
        }
    }

    private String omapKey() {
        String[] prefixes = {"pglog.", "info.", "k", "z\u00e9"};
        return prefixes[random.nextInt(prefixes.length)] + random.nextInt(40);
    }

    /** Splits a 1-bit collection into 2 bits or merges a 2-bit pair back, so listings cross those changes. */
    private void collectionOp(Transaction txn, ModelStore model) {
        List<CollectionId> colls = new ArrayList<>(model.colls.keySet());
        CollectionId c = colls.get(random.nextInt(colls.size()));
        int bits = model.colls.get(c);
        if (bits == 1) {
            txn.splitCollection(c, 2, new CollectionId(POOL, c.seed() + 2));
        } else if (c.seed() >= 2) {
            txn.mergeCollection(c, new CollectionId(POOL, c.seed() - 2), 1);
        } else {
            txn.mergeCollection(new CollectionId(POOL, c.seed() + 2), c, 1);
        }
    }
}
