package io.loligo.osd.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flips bytes in the data file under stored objects (one written copy-on-write, one through the
 * deferred path) and checks the damage is caught, never served: the next read throws a
 * {@link ChecksumMismatchException} naming the object and the extent, a partial overwrite of the
 * damaged block fails rather than re-checksumming bad data, and fsck names the object.
 */
class BitRotTest {
    static final CollectionId C = new CollectionId(1, 0);
    static final ObjectId LARGE = ObjectId.of(1, "large", 1);
    static final ObjectId SMALL = ObjectId.of(1, "small", 2);

    @TempDir
    Path dir;

    static long physicalBlock(BlockObjectStore store, ObjectId oid, long logicalBlock) {
        Shard s = BlockWriter.loadShard(new KvView.Db(store.meta().db), oid, logicalBlock / Keys.SHARD_BLOCKS);
        return s.pblock[(int) (logicalBlock % Keys.SHARD_BLOCKS)];
    }

    static void flipByte(Path dir, long pblock, int within) throws Exception {
        try (FileChannel ch = FileChannel.open(dir.resolve(BlockObjectStore.BLOCK_FILE), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long pos = (pblock << Keys.BLOCK_SHIFT) + within;
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, pos);
            b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
            ch.write(b, pos);
        }
    }

    @Test
    void flippedBytesAreReportedNotServed() throws Exception {
        try (BlockObjectStore store = TestStores.create(dir, TestStores.SMALL)) {
            TestStores.commitOk(store, new Transaction().createCollection(C, 0)
                    .writeFull(C, LARGE, BlockObjectStoreTest.pattern(256 << 10, 1))
                    .writeFull(C, SMALL, BlockObjectStoreTest.pattern(6000, 2)));
            store.drainDeferred();
            assertThat(Fsck.run(store).clean()).isTrue();

            flipByte(dir, physicalBlock(store, LARGE, 10), 123);
            flipByte(dir, physicalBlock(store, SMALL, 1), 7);

            assertThatThrownBy(() -> store.read(C, LARGE, 0, 256 << 10))
                    .isInstanceOfSatisfying(ChecksumMismatchException.class, e -> {
                        assertThat(e.oid()).isEqualTo(LARGE);
                        assertThat(e.logicalOffset()).isEqualTo(10 * 4096L);
                    })
                    .hasMessageContaining("large").hasMessageContaining("[40960, 45056)");
            assertThatThrownBy(() -> store.read(C, SMALL, 5000, 10)).isInstanceOf(ChecksumMismatchException.class)
                    .hasMessageContaining("small");
            // Undamaged ranges still read.
            assertThat(store.read(C, LARGE, 0, 4096)).isEqualTo(java.util.Arrays.copyOf(BlockObjectStoreTest.pattern(256 << 10, 1), 4096));
            // A partial overwrite must read the damaged block first: it fails instead of blessing bad bytes.
            assertThat(TestStores.commit(store, new Transaction().write(C, SMALL, 4100, new byte[] {1})))
                    .isInstanceOf(ChecksumMismatchException.class);

            Fsck.Report report = Fsck.run(store);
            assertThat(report.errors()).hasSize(2);
            assertThat(report.errors()).anySatisfy(e -> assertThat(e).contains("large").contains("[40960, 45056)"));
            assertThat(report.errors()).anySatisfy(e -> assertThat(e).contains("small").contains("[4096, 8192)"));

            // Rewriting the object whole replaces the damaged blocks; fsck is clean again.
            TestStores.commitOk(store, new Transaction().writeFull(C, LARGE, new byte[300 << 10]).remove(C, SMALL));
            assertThat(Fsck.run(store).errors()).isEmpty();
        }
    }
}
