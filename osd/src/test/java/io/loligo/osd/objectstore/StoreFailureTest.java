package io.loligo.osd.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An I/O error on the commit path (injected at a fault point) stops the store: the batch's
 * transactions fail with {@link StoreFailedException}, so do later commits and reads, nothing of
 * the failed batch is visible after a reopen, and everything committed before it is.
 */
class StoreFailureTest {
    static final CollectionId C = new CollectionId(1, 0);
    static final ObjectId A = ObjectId.of(1, "a", 1);

    @TempDir
    Path dir;

    @AfterEach
    void disarm() {
        Faults.disarmAll();
    }

    @Test
    void ioErrorBeforeTheMetadataCommitStopsTheStoreAndLosesOnlyThatBatch() throws Exception {
        byte[] before = BlockObjectStoreTest.pattern(100_000, 1);
        try (BlockObjectStore store = TestStores.create(dir, TestStores.SMALL)) {
            TestStores.commitOk(store, new Transaction().createCollection(C, 0).writeFull(C, A, before));
            Faults.arm("objectstore.commit.before_log_write", Faults.Action.IO_ERROR, 1);
            StoreException failed = TestStores.commit(store, new Transaction().writeFull(C, A, new byte[200_000]));
            assertThat(failed).isInstanceOf(StoreFailedException.class).hasMessageContaining("reopen");
            assertThat(Faults.hits("objectstore.commit.before_log_write")).isEqualTo(1);
            assertThat(TestStores.commit(store, new Transaction().touch(C, A))).isInstanceOf(StoreFailedException.class);
            assertThatThrownBy(() -> store.read(C, A, 0, 10)).isInstanceOf(StoreFailedException.class);
        }
        Faults.disarmAll();
        try (BlockObjectStore store = BlockObjectStore.open(dir, TestStores.SMALL)) {
            assertThat(store.read(C, A, 0, 1 << 20)).isEqualTo(before);
            assertThat(Fsck.run(store).errors()).isEmpty();
            TestStores.commitOk(store, new Transaction().write(C, A, 0, new byte[] {1}));
        }
    }

    /** An error after the batch's log record is durable fails the commit, but reopening replays the batch whole. */
    @Test
    void ioErrorAfterTheLogWriteStopsTheStoreAndReplayKeepsTheBatch() throws Exception {
        byte[] after = BlockObjectStoreTest.pattern(30_000, 2);
        try (BlockObjectStore store = TestStores.create(dir, TestStores.SMALL)) {
            TestStores.commitOk(store, new Transaction().createCollection(C, 0).writeFull(C, A, BlockObjectStoreTest.pattern(100_000, 1)));
            Faults.arm("objectstore.commit.before_kv_commit", Faults.Action.IO_ERROR, 1);
            StoreException failed = TestStores.commit(store, new Transaction().write(C, A, 4096, after));
            assertThat(failed).isInstanceOf(StoreFailedException.class);
            assertThat(Faults.hits("objectstore.commit.before_kv_commit")).isEqualTo(1);
        }
        Faults.disarmAll();
        try (BlockObjectStore store = BlockObjectStore.open(dir, TestStores.SMALL)) {
            assertThat(store.read(C, A, 4096, after.length)).isEqualTo(after);
            assertThat(Fsck.run(store).errors()).isEmpty();
        }
    }

    @Test
    void ioErrorInTheDeferredApplierStopsTheStoreButKeepsCommittedWrites() throws Exception {
        try (BlockObjectStore store = TestStores.create(dir, TestStores.SMALL)) {
            TestStores.commitOk(store, new Transaction().createCollection(C, 0));
            Faults.arm("objectstore.deferred.after_data_write", Faults.Action.IO_ERROR, 1);
            TestStores.commitOk(store, new Transaction().write(C, A, 0, new byte[] {7, 7, 7}));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (TestStores.commit(store, new Transaction().touch(C, ObjectId.of(1, "b", 1))) == null) {
                assertThat(System.nanoTime()).as("the applier's error must stop the store").isLessThan(deadline);
                Thread.onSpinWait();
            }
        }
        Faults.disarmAll();
        try (BlockObjectStore store = BlockObjectStore.open(dir, TestStores.SMALL)) {
            assertThat(store.read(C, A, 0, 3)).containsExactly(7, 7, 7);
            assertThat(Fsck.run(store).errors()).isEmpty();
        }
    }
}
