package io.loligo.osd.scrub;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.messages.Eversion;
import io.loligo.messages.ScrubMapEntry;
import io.loligo.osd.objectstore.BlockObjectStore;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.StoreOptions;
import io.loligo.osd.objectstore.Transaction;
import io.loligo.osd.pg.ObjectInfo;
import io.loligo.osd.pg.PgLog;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrub maps built from a real store: shallow maps carry size, version and digests without reading
 * data; deep maps carry the data's CRC32C, and a copy whose block was damaged on disk is marked
 * READ_ERROR (the store's checksum caught it) instead of throwing; the PG meta object is never
 * listed; chunks stop at the object and byte limits.
 */
class ScrubMapsTest {
    static final CollectionId C = new CollectionId(1, 0);

    @TempDir
    Path dir;

    @Test
    void shallowDeepAndDamaged() throws Exception {
        BlockObjectStore.mkfs(dir, StoreOptions.small(64L << 20));
        SplittableRandom random = new SplittableRandom(3);
        byte[] big = new byte[256 << 10];
        random.nextBytes(big);
        byte[] small = new byte[3000];
        random.nextBytes(small);
        ObjectId a = ObjectId.of(1, "a", 0x20);   // bit-reversed hash order: a before b
        ObjectId b = ObjectId.of(1, "b", 0x10);
        try (BlockObjectStore store = BlockObjectStore.open(dir, StoreOptions.small(64L << 20))) {
            Transaction txn = new Transaction().createCollection(C, 0).writeFull(C, a, big).writeFull(C, b, small)
                    .setAttr(C, a, ObjectInfo.ATTR, new ObjectInfo(new Eversion(3, 4), 99).encode())
                    .setAttr(C, b, ObjectInfo.ATTR, new ObjectInfo(new Eversion(3, 5), 99).encode())
                    .omapSet(C, b, "k", new byte[] {1}).touch(C, PgLog.metaOid(C));
            store.commit(txn).get();

            List<ScrubMapEntry> shallow = ScrubMaps.scan(store, C, Optional.empty(), Optional.empty(), 100, false);
            assertThat(shallow).extracting(e -> e.ref().name()).containsExactly("a", "b");
            assertThat(shallow.getFirst().size()).isEqualTo(big.length);
            assertThat(shallow.getFirst().version()).isEqualTo(new Eversion(3, 4));
            assertThat(shallow.get(1).omapDigest()).isNotEqualTo(shallow.getFirst().omapDigest());
            assertThat(shallow).allSatisfy(e -> assertThat(e.errors()).isZero());

            List<ScrubMapEntry> deep = ScrubMaps.scan(store, C, Optional.empty(), Optional.empty(), 100, true);
            CRC32C crc = new CRC32C();
            crc.update(big);
            assertThat(deep.getFirst().dataDigest()).isEqualTo((int) crc.getValue());

            flipByteOf(dir.resolve("block"), big, 100_000);
            List<ScrubMapEntry> damaged = ScrubMaps.scan(store, C, Optional.empty(), Optional.empty(), 100, true);
            assertThat(damaged.getFirst().errors()).isEqualTo(ScrubMapEntry.READ_ERROR);
            assertThat(damaged.get(1).errors()).isZero();
            assertThat(ScrubMaps.scan(store, C, Optional.empty(), Optional.empty(), 100, false).getFirst().errors())
                    .as("a shallow scrub does not read data").isZero();

            assertThat(ScrubMaps.scan(store, C, Optional.of(a), Optional.empty(), 100, false))
                    .extracting(e -> e.ref().name()).containsExactly("b");
            assertThat(ScrubMaps.scan(store, C, Optional.empty(), Optional.of(a), 100, false))
                    .extracting(e -> e.ref().name()).containsExactly("a");
            assertThat(ScrubMaps.listChunk(store, C, Optional.empty(), 1)).isEqualTo(new ScrubMaps.Chunk(List.of(a), true));
            assertThat(ScrubMaps.listChunk(store, C, Optional.empty(), 25)).isEqualTo(new ScrubMaps.Chunk(List.of(a, b), false));
        }
    }

    @Test
    void chunksStopAtTheByteLimit() throws Exception {
        BlockObjectStore.mkfs(dir, StoreOptions.small(64L << 20));
        try (BlockObjectStore store = BlockObjectStore.open(dir, StoreOptions.small(64L << 20))) {
            Transaction txn = new Transaction().createCollection(C, 0);
            for (int i = 0; i < 4; i++) {
                txn.writeFull(C, ObjectId.of(1, "o" + i, i << 8), new byte[(int) (ScrubMaps.CHUNK_BYTES_MAX / 3 + 1)]);
            }
            store.commit(txn).get();
            ScrubMaps.Chunk first = ScrubMaps.listChunk(store, C, Optional.empty(), 25);
            assertThat(first.objects()).hasSize(3);
            assertThat(first.more()).isTrue();
            ScrubMaps.Chunk rest = ScrubMaps.listChunk(store, C, Optional.of(first.objects().getLast()), 25);
            assertThat(rest.objects()).hasSize(1);
            assertThat(rest.more()).isFalse();
        }
    }

    static void flipByteOf(Path blockFile, byte[] data, int offset) throws Exception {
        int start = offset / 4096 * 4096;
        byte[] block = Arrays.copyOfRange(data, start, start + 4096);
        try (RandomAccessFile f = new RandomAccessFile(blockFile.toFile(), "rw")) {
            byte[] buf = new byte[4096];
            for (long pos = 0; pos + 4096 <= f.length(); pos += 4096) {
                f.seek(pos);
                f.readFully(buf);
                if (Arrays.equals(buf, block)) {
                    f.seek(pos + offset % 4096);
                    f.write(buf[offset % 4096] ^ 0x11);
                    return;
                }
            }
        }
        throw new AssertionError("block not found");
    }
}
