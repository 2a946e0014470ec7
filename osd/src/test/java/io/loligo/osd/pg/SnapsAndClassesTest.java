package io.loligo.osd.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.messages.OpOutput;
import io.loligo.messages.OsdOp;
import io.loligo.messages.OsdResult;
import io.loligo.osd.cls.BucketIndex;
import io.loligo.osd.cls.RgwIndex;
import io.loligo.osd.objectstore.BlockObjectStore;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectId;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.objectstore.StoreOptions;
import io.loligo.osd.objectstore.Transaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clone-on-write, reads at snaps, snapdirs and trim ({@link OpExecutor}, {@link SnapSet}, {@link
 * SnapTrimmer#outcome}) and the object classes, against a real store: each op's transaction is
 * committed as the PG would.
 */
class SnapsAndClassesTest {
    static final CollectionId COLL = new CollectionId(1, 0);
    static final ObjectId A = new ObjectId(1, "", "a", 0);
    Path dir;
    BlockObjectStore store;

    @BeforeEach
    void open() throws Exception {
        dir = Files.createTempDirectory("loligo-snaps-test");
        BlockObjectStore.mkfs(dir, StoreOptions.small(4 << 20));
        store = BlockObjectStore.open(dir, StoreOptions.small(4 << 20));
        store.commit(new Transaction().createCollection(COLL, 0)).join();
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private OpExecutor.Outcome run(long seq, List<Long> snaps, long readSnap, OsdOp... ops) {
        OpExecutor.Outcome out = OpExecutor.execute(store, COLL, A, List.of(ops),
                new OpExecutor.SnapParams(seq, snaps, readSnap));
        if (out.result() == OsdResult.OK && out.wrote()) {
            store.commit(out.txn()).join();
        }
        return out;
    }

    private OpExecutor.Outcome write(long seq, List<Long> snaps, String data) {
        return run(seq, snaps, 0, new OsdOp.WriteFull(data.getBytes(StandardCharsets.UTF_8)));
    }

    private String readAt(long snap) {
        OpExecutor.Outcome out = run(0, List.of(), snap, new OsdOp.Read(0, 0));
        if (out.result() == OsdResult.ENOENT) {
            return null;
        }
        assertThat(out.result()).isZero();
        return new String(((OpOutput.Data) out.results().get(0).output()).bytes(), StandardCharsets.UTF_8);
    }

    private List<ObjectId> objects() {
        List<ObjectId> out = new ArrayList<>();
        store.list(COLL, null, 1000).objects().forEach(out::add);
        return out;
    }

    @Test
    void clonesOnWriteServeSnapsAndTrimDropsThem() {
        assertThat(write(0, List.of(), "v1").snapObjectsDelta()).isZero();
        OpExecutor.Outcome w2 = write(1, List.of(1L), "v2");   // snap 1 taken: clone 1 holds v1
        assertThat(w2.snapObjectsDelta()).isEqualTo(1);
        assertThat(write(1, List.of(1L), "v3").snapObjectsDelta()).as("one clone per snap").isZero();
        assertThat(readAt(1)).isEqualTo("v1");
        assertThat(readAt(0)).isEqualTo("v3");
        assertThat(run(1, List.of(1L), 1, new OsdOp.WriteFull(new byte[1])).result()).isEqualTo(OsdResult.EROFS);

        OpExecutor.Outcome rm = run(2, List.of(2L, 1L), 0, new OsdOp.Remove());   // snap 2: clone 2 holds v3
        assertThat(rm.result()).isZero();
        assertThat(rm.snapObjectsDelta()).as("clone 2 and the snapdir").isEqualTo(2);
        assertThat(readAt(0)).isNull();
        assertThat(readAt(1)).isEqualTo("v1");
        assertThat(readAt(2)).isEqualTo("v3");
        assertThat(objects()).containsExactly(SnapSet.cloneOid(A, 1), SnapSet.cloneOid(A, 2), SnapSet.snapdirOid(A));

        write(3, List.of(3L, 2L, 1L), "v4");   // re-created after snap 3: no clone, the snapdir goes back to the head
        assertThat(readAt(3)).as("did not exist at snap 3").isNull();
        assertThat(readAt(0)).isEqualTo("v4");
        assertThat(objects()).containsExactly(A, SnapSet.cloneOid(A, 1), SnapSet.cloneOid(A, 2));
        assertThat(SnapSet.load(store, COLL, A).seq()).isEqualTo(3);

        OpExecutor.Outcome trim = SnapTrimmer.outcome(store, COLL, A, new TreeSet<>(List.of(1L)));
        store.commit(trim.txn()).join();
        assertThat(trim.snapObjectsDelta()).isEqualTo(-1);
        assertThat(objects()).containsExactly(A, SnapSet.cloneOid(A, 2));
        assertThat(readAt(2)).isEqualTo("v3");
        store.commit(SnapTrimmer.outcome(store, COLL, A, new TreeSet<>(List.of(1L, 2L))).txn()).join();
        assertThat(objects()).containsExactly(A);
        assertThat(readAt(0)).isEqualTo("v4");

        run(4, List.of(4L), 0, new OsdOp.Remove());   // snap 4 (3 removed) keeps a clone; trimming 4 drops it and the snapdir
        assertThat(objects()).containsExactly(SnapSet.cloneOid(A, 4), SnapSet.snapdirOid(A));
        OpExecutor.Outcome last = SnapTrimmer.outcome(store, COLL, A, new TreeSet<>(List.of(1L, 2L, 3L, 4L)));
        assertThat(last.snapObjectsDelta()).isEqualTo(-2);
        store.commit(last.txn()).join();
        assertThat(objects()).isEmpty();
    }

    @Test
    void familiesAreContiguousAndRecoveryReadsThemWhole() {
        write(0, List.of(), "v1");
        write(1, List.of(1L), "v2");
        ObjectStore s = store;
        List<io.loligo.messages.ObjectState> family = PgObjects.readFamily(s, COLL, PgObjects.ref(A));
        assertThat(family).extracting(st -> st.ref().name()).containsExactly("a", "a\u0000snapdir",
                "a\u0000" + "0000000000000001");
        assertThat(family.get(1).exists()).isFalse();
        assertThat(SnapSet.headOf(SnapSet.cloneOid(A, 1))).isEqualTo(A);
        assertThat(SnapSet.cloneId(SnapSet.cloneOid(A, 0xabc))).contains(0xabcL);
        assertThat(SnapSet.decode(SnapSet.load(s, COLL, A).encode())).isEqualTo(SnapSet.load(s, COLL, A));
    }

    private OpExecutor.Outcome call(boolean write, String cls, String method, byte[] input, OsdOp... more) {
        List<OsdOp> ops = new ArrayList<>(List.of(new OsdOp.Call(cls, method, input, write)));
        ops.addAll(List.of(more));
        OpExecutor.Outcome out = OpExecutor.execute(store, COLL, A, ops);
        if (out.result() == OsdResult.OK && out.wrote()) {
            store.commit(out.txn()).join();
        }
        return out;
    }

    private static String text(OpExecutor.Outcome out) {
        return new String(((OpOutput.Data) out.results().get(0).output()).bytes(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void objectClassesRunInsideTheOpsTransaction() {
        assertThat(text(call(true, "numops", "add", utf8("n 5")))).isEqualTo("5");
        assertThat(text(call(true, "numops", "add", utf8("n 2.5")))).isEqualTo("7.5");
        assertThat(text(call(true, "numops", "mul", utf8("n 2")))).isEqualTo("15");
        assertThat(call(true, "numops", "add", utf8("n x")).result()).isEqualTo(OsdResult.EINVAL);
        assertThat(call(false, "numops", "add", utf8("n 1")).result()).as("a writing method in a read").isEqualTo(OsdResult.EINVAL);
        OpExecutor.Outcome atomic = call(true, "numops", "add", utf8("n 1"), new OsdOp.RmXattr("missing"));
        assertThat(atomic.result()).isEqualTo(OsdResult.ENODATA);
        assertThat(store.omapGet(COLL, A, List.of("n")).get("n")).as("nothing applied").isEqualTo(utf8("15"));

        assertThat(call(true, "lock", "lock", utf8("l c1")).result()).isZero();
        assertThat(call(true, "lock", "lock", utf8("l c1")).result()).as("the holder again").isZero();
        assertThat(call(true, "lock", "lock", utf8("l c2")).result()).isEqualTo(OsdResult.EBUSY);
        assertThat(text(call(false, "lock", "get_info", utf8("l")))).isEqualTo("c1");
        assertThat(call(true, "lock", "unlock", utf8("l c2")).result()).isEqualTo(OsdResult.ENOENT);
        assertThat(call(true, "lock", "unlock", utf8("l c1")).result()).isZero();
        assertThat(call(true, "lock", "lock", utf8("l c2")).result()).isZero();

        assertThat(call(true, "nope", "x", new byte[0]).result()).isEqualTo(OsdResult.EOPNOTSUPP);
        assertThat(call(true, "lock", "nope", new byte[0]).result()).isEqualTo(OsdResult.EOPNOTSUPP);
        assertThat(call(true, SnapTrimmer.CLASS, "trim", new byte[0]).result()).isEqualTo(OsdResult.EOPNOTSUPP);

        assertThat(call(true, "bucket_index", "link", BucketIndex.linkInput("k1", 100, utf8("e1"))).result()).isZero();
        assertThat(call(true, "bucket_index", "link", BucketIndex.linkInput("k2", 50, utf8("e2"))).result()).isZero();
        assertThat(call(true, "bucket_index", "link", BucketIndex.linkInput("k1", 10, utf8("e1'"))).result()).isZero();
        assertThat(call(true, "bucket_index", "unlink", BucketIndex.unlinkInput("k2")).result()).isZero();
        assertThat(call(true, "bucket_index", "unlink", BucketIndex.unlinkInput("k2")).result()).isEqualTo(OsdResult.ENOENT);
        OpExecutor.Outcome stats = call(false, "bucket_index", "stats", new byte[0]);
        assertThat(BucketIndex.decodeStats(((OpOutput.Data) stats.results().get(0).output()).bytes()))
                .containsExactly(1, 10);
        assertThat(call(true, "bucket_index", "link", utf8("garbage")).result()).isEqualTo(OsdResult.EINVAL);
    }

    /**
     * rgw_index.insert (the gateway's one-write PUT of a new key): applies only under the bucket
     * guard and while the key has no head; bumps the usage lane's sequence and counts; a refusal
     * changes nothing.
     */
    @Test
    void rgwIndexInsertAddsANewHeadAndItsUsageAtomically() {
        byte[] guard = utf8("b1");
        assertThat(call(true, "rgw_index", "insert", RgwIndex.insertInput("bucket", guard, "ok", "q.3", 1, 10, Map.of("ok", utf8("h"))))
                .result()).as("no shard object yet").isEqualTo(OsdResult.ECANCELED);
        assertThat(run(0, List.of(), 0, new OsdOp.SetXattr("bucket", guard)).result()).isZero();
        assertThat(call(true, "rgw_index", "insert", RgwIndex.insertInput("bucket", utf8("b0"), "ok", "q.3", 1, 10, Map.of("ok", utf8("h"))))
                .result()).as("another bucket id").isEqualTo(OsdResult.ECANCELED);
        assertThat(call(true, "rgw_index", "insert", RgwIndex.insertInput("bucket", guard, "ok", "q.3", 1, 10,
                Map.of("ok", utf8("h1"), "vk", utf8("v1")))).result()).isZero();
        assertThat(call(true, "rgw_index", "insert", RgwIndex.insertInput("bucket", guard, "ok2", "q.3", 1, 5, Map.of("ok2", utf8("h2"))))
                .result()).isZero();
        assertThat(call(true, "rgw_index", "insert", RgwIndex.insertInput("bucket", guard, "ok", "q.3", 1, 7, Map.of("ok", utf8("h3"))))
                .result()).as("the key has a head").isEqualTo(OsdResult.EEXIST);
        assertThat(store.omapGet(COLL, A, List.of("ok", "ok2", "vk"))).containsOnlyKeys("ok", "ok2", "vk");
        assertThat(store.omapGet(COLL, A, List.of("ok")).get("ok")).as("the refused insert changed nothing").isEqualTo(utf8("h1"));
        OpExecutor.Outcome lane = run(0, List.of(), 0, new OsdOp.GetXattr("q.3"));
        assertThat(new String(((OpOutput.Data) lane.results().get(0).output()).bytes(), StandardCharsets.US_ASCII)).isEqualTo("2 2 15");
        assertThat(call(true, "rgw_index", "insert", utf8("garbage")).result()).isEqualTo(OsdResult.EINVAL);
    }

    /**
     * Recovery of a deleted object reads its family to push the deletion: an absent head with no
     * snapdir is an absent object, not ObjectNotFound (which left a PG degraded for good in
     * FullOsdTest: the full replica's missing object had been deleted meanwhile).
     */
    @Test
    void familyOfAnAbsentObjectIsOneAbsentState() {
        List<io.loligo.messages.ObjectState> never = PgObjects.readFamily(store, COLL, PgObjects.ref(A));
        assertThat(never).allMatch(st -> !st.exists());
        write(0, List.of(), "x");
        run(0, List.of(), 0, new OsdOp.Remove());
        List<io.loligo.messages.ObjectState> deleted = PgObjects.readFamily(store, COLL, PgObjects.ref(A));
        assertThat(deleted).isNotEmpty().allMatch(st -> !st.exists());
    }
}
