package io.loligo.osd.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's operations one by one, each checked through reads, and again after a reopen. */
class BlockObjectStoreTest {
    static final CollectionId C = new CollectionId(1, 0);
    static final ObjectId A = ObjectId.of(1, "a", 0x10);
    static final ObjectId B = ObjectId.of(1, "b", 0x20);

    @TempDir
    Path dir;
    BlockObjectStore store;

    @BeforeEach
    void open() throws Exception {
        store = TestStores.create(dir, TestStores.SMALL);
        TestStores.commitOk(store, new Transaction().createCollection(C, 0));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void reopen() throws Exception {
        store.close();
        store = BlockObjectStore.open(dir, TestStores.SMALL);
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void smallAndLargeWritesReadBackWithHolesAsZeros() throws Exception {
        byte[] small = pattern(1000, 1);
        byte[] large = pattern(300_000, 2);
        TestStores.commitOk(store, new Transaction().write(C, A, 5000, small).write(C, A, 200_000, large));
        byte[] expected = new byte[500_000];
        System.arraycopy(small, 0, expected, 5000, small.length);
        System.arraycopy(large, 0, expected, 200_000, large.length);
        for (int pass = 0; pass < 2; pass++) {
            assertThat(store.stat(C, A).size()).isEqualTo(500_000);
            assertThat(store.read(C, A, 0, 600_000)).isEqualTo(expected);
            assertThat(store.read(C, A, 4999, 3)).isEqualTo(Arrays.copyOfRange(expected, 4999, 5002));
            assertThat(store.read(C, A, 700_000, 10)).isEmpty();
            reopen();
        }
    }

    /**
     * The ByteBuffer methods take the caller's buffer without a copy: an aligned direct one (written
     * with O_DIRECT as it is), an unaligned direct slice and a heap slice at an offset (bounced
     * through an aligned buffer), a small write from a direct buffer (deferred), and an append; a
     * partial overwrite inside a block the same batch wrote new reads the staged direct memory.
     */
    @Test
    void byteBufferWritesFromDirectAndHeapBuffersReadBack() throws Exception {
        byte[] big = pattern(256 << 10, 11);
        java.nio.ByteBuffer aligned = BlockObjectStore.allocateAligned(big.length).put(big).flip();
        java.nio.ByteBuffer unaligned = java.nio.ByteBuffer.allocateDirect(big.length + 100).position(100).slice().put(big).flip();
        java.nio.ByteBuffer heap = java.nio.ByteBuffer.allocate(big.length + 7).position(7).slice().put(big).flip().position(0);
        byte[] small = pattern(3000, 12);
        java.nio.ByteBuffer smallDirect = java.nio.ByteBuffer.allocateDirect(small.length).put(small).flip();
        TestStores.commitOk(store, new Transaction().writeFull(C, A, aligned).write(C, A, 1000, smallDirect));
        TestStores.commitOk(store, new Transaction().write(C, B, 0, unaligned).append(C, B, heap));
        byte[] expectedA = big.clone();
        System.arraycopy(small, 0, expectedA, 1000, small.length);
        byte[] expectedB = new byte[2 * big.length];
        System.arraycopy(big, 0, expectedB, 0, big.length);
        System.arraycopy(big, 0, expectedB, big.length, big.length);
        assertThat(aligned.position()).as("the caller's buffer is not moved").isZero();
        for (int pass = 0; pass < 2; pass++) {
            assertThat(store.read(C, A, 0, 1 << 20)).isEqualTo(expectedA);
            assertThat(store.read(C, B, 0, 1 << 20)).isEqualTo(expectedB);
            assertThat(Fsck.run(store).errors()).isEmpty();
            reopen();
        }
    }

    @Test
    void overwritesTruncateZeroAndAppend() throws Exception {
        byte[] data = pattern(100_000, 3);
        TestStores.commitOk(store, new Transaction().writeFull(C, A, data));
        TestStores.commitOk(store, new Transaction().write(C, A, 10, new byte[] {1, 2, 3}).zero(C, A, 50_000, 20_000)
                .truncate(C, A, 90_001).append(C, A, new byte[] {9}));
        byte[] expected = Arrays.copyOf(data, 90_002);
        expected[10] = 1;
        expected[11] = 2;
        expected[12] = 3;
        Arrays.fill(expected, 50_000, 70_000, (byte) 0);
        expected[90_001] = 9;
        assertThat(store.read(C, A, 0, 200_000)).isEqualTo(expected);
        TestStores.commitOk(store, new Transaction().truncate(C, A, 5).truncate(C, A, 8192));
        byte[] grown = new byte[8192];
        System.arraycopy(expected, 0, grown, 0, 5);
        reopen();
        assertThat(store.read(C, A, 0, 10_000)).isEqualTo(grown);
        assertThat(store.stat(C, A).version()).isEqualTo(3);
    }

    /**
     * Truncate and zero free only mapped blocks, found by key for a small object and by a range scan
     * for one whose blocks span more than {@code BlockWriter.UNMAP_SHARDS_BY_KEY_MAX} shards: a sparse
     * 300 MiB object with three mapped blocks. Space comes back exactly, fsck stays clean.
     */
    @Test
    void truncateAndZeroOfASparseObjectFreeItsBlocks() throws Exception {
        long far = 300L << 20;
        TestStores.commitOk(store, new Transaction().write(C, A, 0, pattern(4096, 5)).write(C, A, 100L << 20, pattern(4096, 6))
                .write(C, A, far, pattern(4096, 7)));
        assertThat(allocatedBytes()).isEqualTo(3 * 4096);
        TestStores.commitOk(store, new Transaction().zero(C, A, 4096, far - 4096));
        assertThat(allocatedBytes()).isEqualTo(2 * 4096);
        assertThat(store.read(C, A, 100L << 20, 4096)).isEqualTo(new byte[4096]);
        assertThat(store.read(C, A, far, 4096)).isEqualTo(pattern(4096, 7));
        TestStores.commitOk(store, new Transaction().truncate(C, A, 4096));
        assertThat(allocatedBytes()).isEqualTo(4096);
        assertThat(store.read(C, A, 0, 8192)).isEqualTo(pattern(4096, 5));
        assertThat(Fsck.run(store).errors()).isEmpty();
        TestStores.commitOk(store, new Transaction().truncate(C, A, 0).truncate(C, A, far));
        assertThat(allocatedBytes()).isZero();
        reopen();
        assertThat(allocatedBytes()).isZero();
        assertThat(Fsck.run(store).errors()).isEmpty();
    }

    private long allocatedBytes() {
        return store.statfs().pools().get(1L).allocatedBytes();
    }

    @Test
    void xattrsOmapAndHeader() throws Exception {
        TreeMap<String, byte[]> kv = new TreeMap<>();
        for (int i = 0; i < 20; i++) {
            kv.put((i % 2 == 0 ? "pglog." : "info.") + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        TestStores.commitOk(store, new Transaction().setAttr(C, A, "_", new byte[] {7}).setAttr(C, A, "snapset", new byte[] {8})
                .omapSet(C, A, kv).omapSetHeader(C, A, new byte[] {5, 5}));
        TestStores.commitOk(store, new Transaction().rmAttr(C, A, "_").omapRmKeys(C, A, List.of("pglog.0"))
                .omapRmRange(C, A, "pglog.10", "pglog.14"));
        reopen();
        assertThat(store.getattrs(C, A)).containsOnlyKeys("snapset");
        assertThat(store.omapHeader(C, A)).containsExactly(5, 5);
        ObjectStore.OmapPage page = store.omapList(C, A, null, "pglog.", 100);
        assertThat(page.entries().keySet()).containsExactly("pglog.14", "pglog.16", "pglog.18", "pglog.2", "pglog.4", "pglog.6", "pglog.8");
        assertThat(store.omapList(C, A, "pglog.4", "pglog.", 2).entries().keySet()).containsExactly("pglog.6", "pglog.8");
        assertThat(store.omapList(C, A, "pglog.4", "pglog.", 2).more()).isFalse();
        assertThat(store.omapList(C, A, "pglog.16", "pglog.", 1).more()).isTrue();
        assertThat(store.omapGet(C, A, List.of("info.1", "nope")).keySet()).containsExactly("info.1");
        TestStores.commitOk(store, new Transaction().omapClear(C, A));
        assertThat(store.omapList(C, A, null, "", 100).entries()).isEmpty();
        assertThat(store.omapHeader(C, A)).isEmpty();
    }

    @Test
    void cloneCopiesDataAttrsAndOmap() throws Exception {
        byte[] data = pattern(150_000, 4);
        TestStores.commitOk(store, new Transaction().writeFull(C, A, data).setAttr(C, A, "x", new byte[] {1})
                .omapSet(C, A, "k", new byte[] {2}).clone(C, A, B).cloneRange(C, A, 100, 5000, B, 200_000));
        TestStores.commitOk(store, new Transaction().write(C, A, 0, new byte[70_000]));
        assertThat(store.read(C, B, 0, 150_000)).isEqualTo(data);
        assertThat(store.read(C, B, 200_000, 5000)).isEqualTo(Arrays.copyOfRange(data, 100, 5100));
        assertThat(store.getattrs(C, B)).containsOnlyKeys("x");
        assertThat(store.omapGet(C, B, List.of("k")).get("k")).containsExactly(2);
        assertThat(Fsck.run(store).errors()).isEmpty();
    }

    @Test
    void aFailingTransactionLeavesNothingBehind() throws Exception {
        TestStores.commitOk(store, new Transaction().write(C, A, 0, pattern(10, 5)));
        StoreException e = TestStores.commit(store, new Transaction().write(C, A, 0, pattern(200_000, 6)).remove(C, B));
        assertThat(e).isInstanceOf(ObjectNotFoundException.class).hasMessageContaining("b");
        assertThat(store.read(C, A, 0, 100)).isEqualTo(pattern(10, 5));
        assertThat(Fsck.run(store).errors()).isEmpty();
        assertThat(store.statfs().pools().get(1L).objects()).isEqualTo(1);
    }

    @Test
    void removeFreesSpaceAndCollectionsRules() throws Exception {
        long free0 = store.statfs().availableBytes();
        TestStores.commitOk(store, new Transaction().writeFull(C, A, pattern(1 << 20, 7)));
        assertThat(store.statfs().availableBytes()).isEqualTo(free0 - (1 << 20));
        assertThat(TestStores.commit(store, new Transaction().removeCollection(C))).isInstanceOf(CollectionNotEmptyException.class);
        TestStores.commitOk(store, new Transaction().remove(C, A));
        store.drainDeferred();
        assertThat(store.statfs().availableBytes()).isEqualTo(free0);
        assertThat(TestStores.commit(store, new Transaction().createCollection(C, 0))).isInstanceOf(CollectionExistsException.class);
        TestStores.commitOk(store, new Transaction().removeCollection(C));
        assertThat(store.collections()).isEmpty();
        assertThat(TestStores.commit(store, new Transaction().touch(C, A))).isInstanceOf(CollectionNotFoundException.class);
        assertThatThrownBy(() -> store.read(C, A, 0, 1)).isInstanceOf(CollectionNotFoundException.class);
    }

    @Test
    void splitAndMergeMoveObjectsByHash() throws Exception {
        CollectionId p0 = new CollectionId(2, 0);
        CollectionId p1 = new CollectionId(2, 1);
        TestStores.commitOk(store, new Transaction().createCollection(p0, 0));
        for (int h = 0; h < 8; h++) {
            TestStores.commitOk(store, new Transaction().touch(p0, ObjectId.of(2, "o" + h, h)));
        }
        TestStores.commitOk(store, new Transaction().splitCollection(p0, 1, p1));
        assertThat(store.list(p0, null, 100).objects()).extracting(ObjectId::hash).containsExactly(0, 4, 2, 6);
        assertThat(store.list(p1, null, 100).objects()).extracting(ObjectId::hash).containsExactly(1, 5, 3, 7);
        assertThat(TestStores.commit(store, new Transaction().touch(p0, ObjectId.of(2, "x", 1)))).isInstanceOf(BadRequestException.class);
        ObjectStore.ObjectPage first = store.list(p1, null, 2);
        assertThat(store.list(p1, first.next().orElseThrow(), 2).objects()).extracting(ObjectId::hash).containsExactly(3, 7);
        TestStores.commitOk(store, new Transaction().mergeCollection(p1, p0, 0));
        assertThat(store.list(p0, null, 100).objects()).hasSize(8);
        assertThat(store.collections()).containsExactly(C, p0);
    }

    @Test
    void manyConcurrentCommitsAllLand() throws Exception {
        var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<Void>>();
        for (int i = 0; i < 200; i++) {
            futures.add(store.commit(new Transaction().write(C, A, i * 4096L, pattern(4096, i))));
        }
        for (var f : futures) {
            assertThat(TestStores.await(f)).isNull();
        }
        reopen();
        for (int i = 0; i < 200; i++) {
            assertThat(store.read(C, A, i * 4096L, 4096)).isEqualTo(pattern(4096, i));
        }
        assertThat(Fsck.run(store).errors()).isEmpty();
    }
}
