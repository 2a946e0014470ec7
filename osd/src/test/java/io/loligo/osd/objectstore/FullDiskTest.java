package io.loligo.osd.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store on a 16 MiB tmpfs fills up: writes are refused with {@link StoreFullException} before
 * anything breaks, reads and deletes keep working, writes work again after deletes, and fsck is
 * clean, also after a reopen. Then the filesystem itself is filled from outside the store: the
 * metadata reserve makes the store refuse writes while deletes still commit. Needs root (mount);
 * skipped with a message otherwise.
 */
class FullDiskTest {
    static final CollectionId C = new CollectionId(3, 0);
    /** 1 MiB memtables and a 4 MiB metadata reserve: what fits a 16 MiB filesystem. */
    static final StoreOptions OPTIONS = new StoreOptions(0, 64 << 10, 1L << 20, 1L << 20, 4L << 20, 64);

    Path mountPoint;
    boolean mounted;

    @BeforeEach
    void mount() throws Exception {
        mountPoint = Files.createTempDirectory("loligo-full-");
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        boolean exited = p.waitFor(30, TimeUnit.SECONDS);
        mounted = exited && p.exitValue() == 0;
        Assumptions.assumeTrue(mounted, "skipped: cannot mount a 16 MiB tmpfs (needs root): " + output.strip());
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            Process p = new ProcessBuilder("umount", mountPoint.toString()).inheritIO().start();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        TestStores.deleteTree(mountPoint);
    }

    private static ObjectId oid(int i) {
        return ObjectId.of(3, "fill-" + i, i);
    }

    @Test
    void fillsUpRefusesWritesCleanlyAndRecoversAfterDeletes() throws Exception {
        Path dir = mountPoint.resolve("osd");
        BlockObjectStore store = TestStores.create(dir, OPTIONS);
        try {
            TestStores.commitOk(store, new Transaction().createCollection(C, 0));
            List<Integer> stored = new ArrayList<>();
            StoreException full = null;
            for (int i = 0; i < 10_000 && full == null; i++) {
                byte[] data = BlockObjectStoreTest.pattern(i % 3 == 0 ? 4000 : 96 << 10, i);
                full = TestStores.commit(store, new Transaction().writeFull(C, oid(i), data).omapSet(C, oid(i), "k", new byte[100]));
                if (full == null) {
                    stored.add(i);
                }
            }
            assertThat(full).as("the store must eventually refuse").isInstanceOf(StoreFullException.class);
            assertThat(full.getMessage()).contains("store full");
            System.out.printf("stored %d objects, then: %s%n", stored.size(), full.getMessage());
            assertThat(stored).hasSizeGreaterThan(40);
            assertThat(store.statfs().availableBytes()).isLessThan(96 << 10);
            // Every stored object still reads back; the refused write left nothing behind.
            for (int i : stored) {
                assertThat(store.read(C, oid(i), 0, 1 << 20)).isEqualTo(BlockObjectStoreTest.pattern(i % 3 == 0 ? 4000 : 96 << 10, i));
            }
            assertThat(store.exists(C, oid(stored.getLast() + 1))).isFalse();
            assertThat(Fsck.run(store).errors()).isEmpty();

            for (int i : stored.subList(0, stored.size() / 2)) {
                TestStores.commitOk(store, new Transaction().remove(C, oid(i)));
            }
            store.drainDeferred();
            TestStores.commitOk(store, new Transaction().writeFull(C, oid(100_000), new byte[256 << 10]));
            assertThat(Fsck.run(store).errors()).isEmpty();
            store.close();
            store = BlockObjectStore.open(dir, OPTIONS);
            assertThat(Fsck.run(store).errors()).isEmpty();
            assertThat(store.read(C, oid(100_000), 0, 1 << 20)).hasSize(256 << 10);
        } finally {
            store.close();
        }
    }

    @Test
    void metadataReserveKeepsDeletesWorkingWhenTheFilesystemFills() throws Exception {
        Path dir = mountPoint.resolve("osd");
        BlockObjectStore store = TestStores.create(dir, OPTIONS.withBlockFileBytes(4L << 20));
        Path filler = mountPoint.resolve("filler");
        try {
            TestStores.commitOk(store, new Transaction().createCollection(C, 0).writeFull(C, oid(1), new byte[8192])
                    .writeFull(C, oid(2), new byte[8192]));
            // Someone else fills the filesystem until less than the metadata reserve is left.
            fill(filler, Files.getFileStore(mountPoint).getUsableSpace() - (2L << 20));
            StoreException refused = TestStores.commit(store, new Transaction().touch(C, oid(3)));
            assertThat(refused).isInstanceOf(StoreFullException.class);
            assertThat(refused.getMessage()).contains("metadata");
            TestStores.commitOk(store, new Transaction().remove(C, oid(1)));
            assertThat(store.exists(C, oid(1))).isFalse();
            assertThat(store.read(C, oid(2), 0, 100)).hasSize(100);
            Files.delete(filler);
            TestStores.commitOk(store, new Transaction().touch(C, oid(3)));
            assertThat(Fsck.run(store).errors()).isEmpty();
        } finally {
            store.close();
            Files.deleteIfExists(filler);
        }
    }

    private static void fill(Path file, long bytes) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            byte[] chunk = new byte[64 << 10];
            for (long done = 0; done < bytes; done += chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, bytes - done));
            }
        }
    }
}
