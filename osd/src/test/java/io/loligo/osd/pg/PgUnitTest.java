package io.loligo.osd.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.crush.placement.Placement;
import io.loligo.messages.Eversion;
import io.loligo.messages.MOSDRepOp;
import io.loligo.messages.OsdMessages;
import io.loligo.messages.ObjectRef;
import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.messages.PgLogEntry;
import io.loligo.messages.ReqId;
import io.loligo.msg.DecodeException;
import io.loligo.osd.OsdDaemon;
import io.loligo.osd.objectstore.BlockObjectStore;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.StoreOptions;
import io.loligo.osd.objectstore.Transaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PG's building blocks against a real object store in a temp dir: the transaction codec
 * round-trips and refuses damaged input, ops keep their semantics (atomic failure, guards,
 * appends at the size), the PG log survives a reopen with its trimming and reqid index, and a
 * PG's collection bits select exactly the objects placement sends to it. Seeds replay with LOLIGO_SEED.
 */
class PgUnitTest {
    static final CollectionId COLL = new CollectionId(1, 0);
    Path dir;
    BlockObjectStore store;

    static Stream<Long> seeds() {
        String env = System.getenv("LOLIGO_SEED");
        return env != null ? Stream.of(Long.parseLong(env)) : LongStream.range(1, 21).boxed();
    }

    void open() throws Exception {
        dir = Files.createTempDirectory("loligo-pg-test");
        BlockObjectStore.mkfs(dir, StoreOptions.small(4 << 20));
        store = BlockObjectStore.open(dir, StoreOptions.small(4 << 20));
        store.commit(new Transaction().createCollection(COLL, 0)).join();
    }

    @AfterEach
    void close() throws Exception {
        if (store == null) {
            return;
        }
        store.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void transactionCodecRoundTripsAndRefusesDamage(long seed) {
        var r = new SplittableRandom(seed);
        Transaction t = new Transaction();
        for (int i = 0; i < 30; i++) {
            ObjectId oid = new ObjectId(1, r.nextBoolean() ? "" : "ns", "o" + r.nextInt(5), r.nextInt());
            byte[] data = new byte[r.nextInt(100)];
            r.nextBytes(data);
            var omap = new TreeMap<String, byte[]>();
            omap.put("k" + r.nextInt(9), data);
            switch (r.nextInt(10)) {
                case 0 -> t.touch(COLL, oid);
                case 1 -> t.write(COLL, oid, r.nextInt(1 << 20), data);
                case 2 -> t.writeFull(COLL, oid, data);
                case 3 -> t.zero(COLL, oid, r.nextInt(100), r.nextInt(100));
                case 4 -> t.truncate(COLL, oid, r.nextInt(1000));
                case 5 -> t.setAttr(COLL, oid, "a" + r.nextInt(3), data);
                case 6 -> t.omapSet(COLL, oid, omap);
                case 7 -> t.omapRmKeys(COLL, oid, List.of("k1", "k2"));
                case 8 -> t.omapSetHeader(COLL, oid, data);
                default -> t.remove(COLL, oid);
            }
        }
        byte[] bytes = TxnCodec.encode(t);
        Transaction back = TxnCodec.decode(bytes);
        assertThat(back.ops()).as("seed %d", seed).hasSameSizeAs(t.ops());
        assertThat(TxnCodec.encode(back)).as("seed %d re-encoding", seed).isEqualTo(bytes);
        byte[] cut = Arrays.copyOf(bytes, r.nextInt(bytes.length));
        assertThatThrownBy(() -> TxnCodec.decode(cut)).as("seed %d truncated", seed).isInstanceOf(DecodeException.class);

        // In a MOSDRepOp: encoded straight into the frame, the same bytes as the array encoding;
        // decoded in place by the OSD's registry and as raw bytes by a plain one.
        ReqId reqid = new ReqId("client.t", 1, seed);
        PgLogEntry entry = new PgLogEntry(PgLogEntry.Op.MODIFY, new ObjectRef("", "o", 1), new Eversion(2, 3),
                Eversion.ZERO, reqid, 5, OsdResult.OK);
        MOSDRepOp m = new MOSDRepOp(reqid, 1, 0, 2, 0, entry, new TxnCodec.Payload(t), Eversion.ZERO);
        io.netty.buffer.ByteBuf frame = io.netty.buffer.Unpooled.buffer();
        io.loligo.msg.MessageRegistry.encode(m, frame);
        MOSDRepOp viaOsd = (MOSDRepOp) OsdMessages.osdRegistry(TxnCodec::read).decode(MOSDRepOp.TYPE, frame.duplicate());
        MOSDRepOp viaRaw = (MOSDRepOp) OsdMessages.osdRegistry().decode(MOSDRepOp.TYPE, frame.duplicate());
        assertThat(viaRaw.transaction()).isEqualTo(new MOSDRepOp.RawTxn(bytes));
        assertThat(TxnCodec.encode(TxnCodec.transaction(viaOsd.transaction()))).as("seed %d in place", seed).isEqualTo(bytes);
        assertThat(viaOsd.entry()).isEqualTo(entry);
        assertThat(viaOsd.lastComplete()).isEqualTo(Eversion.ZERO);
    }

    private OpExecutor.Outcome run(String name, OsdOp... ops) {
        ObjectId oid = new ObjectId(1, "", name, 0);
        OpExecutor.Outcome out = OpExecutor.execute(store, COLL, oid, List.of(ops));
        if (out.result() == OsdResult.OK && !out.txn().isEmpty()) {
            store.commit(out.txn()).join();
        }
        return out;
    }

    private byte[] data(OpExecutor.Outcome out, int i) {
        return ((OpOutput.Data) out.results().get(i).output()).bytes();
    }

    @Test
    void opsKeepTheirSemantics() throws Exception {
        open();
        assertThat(run("a", new OsdOp.Read(0, 0)).result()).isEqualTo(OsdResult.ENOENT);
        assertThat(run("a", new OsdOp.Append("ab".getBytes()), new OsdOp.Append("cd".getBytes())).result()).isZero();
        assertThat(data(run("a", new OsdOp.Read(0, 0)), 0)).isEqualTo("abcd".getBytes());
        assertThat(run("a", new OsdOp.Write(6, "x".getBytes()), new OsdOp.Zero(0, 1)).result()).isZero();
        assertThat(data(run("a", new OsdOp.Read(0, 0)), 0)).isEqualTo(new byte[] {0, 'b', 'c', 'd', 0, 0, 'x'});
        assertThat(run("a", new OsdOp.Truncate(2)).result()).isZero();
        assertThat(data(run("a", new OsdOp.Read(0, 100)), 0)).isEqualTo(new byte[] {0, 'b'});

        OpExecutor.Outcome failed = run("a", new OsdOp.WriteFull("zzz".getBytes()), new OsdOp.RmXattr("missing"));
        assertThat(failed.result()).isEqualTo(OsdResult.ENODATA);
        assertThat(failed.txn().isEmpty()).as("a failing op applies nothing").isTrue();
        assertThat(failed.results()).hasSize(2);
        assertThat(data(run("a", new OsdOp.Read(0, 0)), 0)).isEqualTo(new byte[] {0, 'b'});

        assertThat(run("a", new OsdOp.Create(true)).result()).isEqualTo(OsdResult.EEXIST);
        assertThat(run("a", new OsdOp.SetXattr("k", "v".getBytes())).result()).isZero();
        assertThat(run("a", new OsdOp.CmpXattr("k", OsdOp.CmpOp.EQ, "v".getBytes()), new OsdOp.Append("!".getBytes()))
                .result()).isZero();
        OpExecutor.Outcome guard = run("a", new OsdOp.CmpXattr("k", OsdOp.CmpOp.GT, "v".getBytes()),
                new OsdOp.Append("?".getBytes()));
        assertThat(guard.result()).isEqualTo(OsdResult.ECANCELED);
        assertThat(guard.results().get(1).result()).isEqualTo(OsdResult.ECANCELED);
        assertThat(data(run("a", new OsdOp.Read(0, 0)), 0)).isEqualTo(new byte[] {0, 'b', '!'});
        OpExecutor.Outcome attrs = run("a", new OsdOp.GetXattrs());
        assertThat(((OpOutput.KeyValues) attrs.results().get(0).output()).entries())
                .as("only user xattrs, without the prefix").containsOnlyKeys("k");
        assertThat(run("a", new OsdOp.Append("x".getBytes()), new OsdOp.Read(0, 0)).result())
                .as("a read after a write in one op").isEqualTo(OsdResult.EINVAL);
        assertThat(run("a", new OsdOp.Call("cls", "m", new byte[0], false)).result()).isEqualTo(OsdResult.EOPNOTSUPP);
        assertThat(run("a", new OsdOp.Remove()).result()).isZero();
        assertThat(run("a", new OsdOp.Remove()).result()).isEqualTo(OsdResult.ENOENT);
    }

    @Test
    void pgLogSurvivesReopenWithTrimmingAndReqidIndex() throws Exception {
        open();
        PgLog log = new PgLog(PgLog.ENTRIES_MAX);
        int n = PgLog.ENTRIES_MAX + 50;
        Transaction t = new Transaction();
        for (int i = 1; i <= n; i++) {
            ReqId reqid = new ReqId("client.x", 7, i);
            log.append(new PgLogEntry(PgLogEntry.Op.MODIFY, new ObjectRef("", "o" + i, i), new Eversion(3, i),
                    Eversion.ZERO, reqid, i, 0), COLL, t);
            if (i % 500 == 0 || i == n) {
                store.commit(t).join();
                t = new Transaction();
            }
        }
        PgLog back = PgLog.load(store, COLL, PgLog.ENTRIES_MAX);
        assertThat(back.lastUpdate()).isEqualTo(new Eversion(3, n));
        assertThat(back.tail()).isEqualTo(new Eversion(3, 50));
        assertThat(back.entries()).hasSize(PgLog.ENTRIES_MAX);
        assertThat(back.findReqid(new ReqId("client.x", 7, n))).isNotNull();
        assertThat(back.findReqid(new ReqId("client.x", 7, 10))).as("trimmed").isNull();
        assertThat(back.entriesAfter(new Eversion(3, n - 5))).hasSize(5);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void collectionBitsSelectExactlyThePgsObjects(long seed) {
        var r = new SplittableRandom(seed);
        int pgNum = 1 + r.nextInt(300);
        int mask = pgNum == 1 ? 0 : (Integer.highestOneBit(pgNum - 1) << 1) - 1;
        for (int i = 0; i < 2000; i++) {
            int hash = r.nextInt();
            int pg = Placement.stableMod(hash, pgNum, mask);
            int bits = OsdDaemon.splitBits(pg, pgNum);
            int selected = bits == 0 ? 0 : hash & ((1 << bits) - 1);
            assertThat(selected).as("seed %d pg_num %d hash %08x", seed, pgNum, hash).isEqualTo(bits == 0 ? 0 : pg);
        }
    }

    /**
     * A replica past its failsafe ratio must still apply deletes: the log entry on the PG meta object
     * is not a write. Found by full-osd in a whole-suite run whose seed was not recorded (the
     * failsafe-full replica logged every delete without applying it and never freed space).
     */
    @Test
    void fullOsdSeedUnknown_replicatedDeleteWithItsLogEntryOnlyRemoves() {
        CollectionId coll = new CollectionId(1, 3);
        ObjectId oid = new ObjectId(1, "", "victim", 3);
        ObjectId meta = PgLog.metaOid(coll);
        Transaction delete = new Transaction().remove(coll, oid).touch(coll, meta).omapSet(coll, meta, "log.1.7", new byte[8]);
        assertThat(Pg.onlyRemoves(delete, coll)).isTrue();
        Transaction write = new Transaction().writeFull(coll, oid, new byte[4096]).touch(coll, meta)
                .omapSet(coll, meta, "log.1.8", new byte[8]);
        assertThat(Pg.onlyRemoves(write, coll)).isFalse();
        assertThat(Pg.bytesAdded(write)).isEqualTo(4096);
        Transaction setAttr = new Transaction().setAttr(coll, oid, "u.x", new byte[1]);
        assertThat(Pg.onlyRemoves(setAttr, coll)).as("an xattr on the object is a write").isFalse();
    }

    /** Log keys sort by version, as the on-disk format says: 16 lower-case hex digits each, as %016x printed them. */
    @Test
    void logKeysAreFixedWidthHex() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            long epoch = i < 3 ? new long[] {0, 1, Long.MAX_VALUE}[i] : random.nextLong(1L << random.nextInt(1, 63));
            long version = random.nextLong(Long.MAX_VALUE);
            assertThat(PgLog.key(new Eversion(epoch, version)))
                    .isEqualTo(String.format("log.%016x.%016x", epoch, version));
        }
    }
}
