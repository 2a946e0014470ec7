package io.loligo.osd.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random transactions go to the store and to {@link ModelStore}; the two must agree on which
 * transactions fail and with what, and on every read: data ranges, stat, xattrs, omap listings by
 * prefix and cursor, headers, and hash-order listings from random cursors. Transactions are
 * submitted in pipelined groups so group commit batches several (including failing ones), and the
 * store is reopened now and then. Replay a failure with LOLIGO_SEED=<seed>.
 */
class StoreModelPropertyTest {
    @TempDir
    Path dir;

    static List<Long> seeds() {
        return TestStores.seeds(1, 2, 3, 20261125);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void storeAgreesWithModel(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5eed);
        TxnGenerator gen = new TxnGenerator(seed, true);
        ModelStore model = new ModelStore();
        BlockObjectStore store = TestStores.create(dir, TestStores.SMALL);
        int committed = 0;
        int failed = 0;
        try {
            TestStores.commitOk(store, TxnGenerator.setup());
            model.apply(TxnGenerator.setup());
            for (int round = 0; round < 120; round++) {
                int group = 1 + random.nextInt(8);
                List<Transaction> txns = new ArrayList<>();
                List<CompletableFuture<Void>> futures = new ArrayList<>();
                List<StoreException> expected = new ArrayList<>();
                for (int i = 0; i < group; i++) {
                    Transaction t = gen.next(model);
                    expected.add(model.apply(t));
                    txns.add(t);
                    futures.add(store.commit(t));
                }
                for (int i = 0; i < group; i++) {
                    StoreException actual = TestStores.await(futures.get(i));
                    String what = String.format("seed %d round %d txn %d %s", seed, round, i, txns.get(i).ops());
                    if (expected.get(i) == null) {
                        committed++;
                        assertThat(actual).as(what).isNull();
                    } else {
                        failed++;
                        assertThat(actual).as(what).isNotNull().isExactlyInstanceOf(expected.get(i).getClass());
                    }
                }
                checkRandomReads(store, model, random, seed, round);
                if (round % 10 == 9) {
                    assertThat(StateDump.of(store)).as("seed %d round %d", seed, round).isEqualTo(StateDump.of(model));
                }
                if (random.nextInt(15) == 0) {
                    store.close();
                    store = BlockObjectStore.open(dir, TestStores.SMALL);
                }
            }
            assertThat(Fsck.run(store).errors()).as("fsck, seed %d", seed).isEmpty();
            // The run means something only if most transactions committed and some failed.
            assertThat(committed).as("seed %d: committed %d failed %d", seed, committed, failed).isGreaterThan(2 * failed);
            assertThat(failed).as("seed %d: committed %d failed %d", seed, committed, failed).isPositive();
            System.out.printf("seed %d: %d transactions committed, %d failed as the model said%n", seed, committed, failed);
        } finally {
            store.close();
        }
    }

    private static void checkRandomReads(ObjectStore store, ModelStore model, SplittableRandom random, long seed, int round) {
        for (int i = 0; i < 8; i++) {
            ObjectId oid = TxnGenerator.object(random.nextInt(TxnGenerator.OBJECTS));
            CollectionId c = model.collectionOf(oid);
            ModelStore.Obj o = model.objects.get(oid);
            String what = String.format("seed %d round %d object %s", seed, round, oid);
            if (c == null) {
                continue;
            }
            assertThat(store.exists(c, oid)).as(what).isEqualTo(o != null);
            if (o == null) {
                continue;
            }
            long off = random.nextInt(TxnGenerator.DATA_BYTES_MAX);
            int len = random.nextInt(200_000);
            byte[] actual = store.read(c, oid, off, len);
            byte[] expected = ModelStore.read(o, off, (int) Math.max(0, Math.min(len, o.data.length - off)));
            assertThat(java.util.Arrays.mismatch(actual, expected))
                    .as("%s read %d+%d: first differing byte (lengths %d, %d)", what, off, len, actual.length, expected.length)
                    .isEqualTo(-1);
            assertThat(store.stat(c, oid)).as(what).isEqualTo(new ObjectStore.ObjectStat(o.data.length, o.version));
            String prefix = new String[] {"", "pglog.", "info.", "k1", "z"}[random.nextInt(5)];
            String after = random.nextBoolean() ? null : prefix + random.nextInt(40);
            int max = 1 + random.nextInt(6);
            ObjectStore.OmapPage page = store.omapList(c, oid, after, prefix, max);
            List<String> expectedKeys = o.omap.keySet().stream()
                    .filter(k -> k.startsWith(prefix) && (after == null || Keys.compareUtf8(k, after) > 0)).toList();
            assertThat(page.entries().keySet()).as(what + " omap after " + after + " prefix " + prefix)
                    .containsExactlyElementsOf(expectedKeys.subList(0, Math.min(max, expectedKeys.size())));
            assertThat(page.more()).as(what + " omap more").isEqualTo(expectedKeys.size() > max);
        }
        for (Map.Entry<CollectionId, Integer> e : model.colls.entrySet()) {
            ObjectId cursor = random.nextBoolean() ? null : TxnGenerator.object(random.nextInt(TxnGenerator.OBJECTS));
            int max = 1 + random.nextInt(5);
            List<ObjectId> expected = model.objects.keySet().stream()
                    .filter(oid -> e.getKey().contains(oid, e.getValue()) && (cursor == null || oid.compareTo(cursor) > 0))
                    .limit(max).toList();
            assertThat(store.list(e.getKey(), cursor, max).objects())
                    .as("seed %d round %d list %s after %s", seed, round, e.getKey(), cursor).containsExactlyElementsOf(expected);
        }
    }
}
