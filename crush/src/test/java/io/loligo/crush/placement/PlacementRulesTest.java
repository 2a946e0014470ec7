package io.loligo.crush.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMapper;
import io.loligo.crush.text.CrushText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The parts of OSDMap's mapping that osdmaptool's vectors do not reach: down OSDs (shifted out for
 * replicated pools, holes for erasure pools), pg_temp and primary_temp, primary affinity, and the
 * stable_mod / mask arithmetic. Expected values follow from Ceph's OSDMap.cc rules, stated per case.
 */
class PlacementRulesTest {
    private static final Path MAP = Path.of(System.getProperty("loligo.root", "../"), "testvectors/crush/maps/hier18.txt");
    private static final int ITEM_NONE = CrushConstants.ITEM_NONE;

    private static Placement placement() throws Exception {
        return new Placement(new CrushMapper(CrushText.parse(Files.readString(MAP))));
    }

    /** 18 OSDs, all in; the listed ones are down (they still exist). */
    private static OsdStates down(int... downOsds) {
        int[] w = new int[18];
        Arrays.fill(w, Placement.WEIGHT_IN);
        return new OsdStates() {
            @Override public int maxOsd() { return 18; }
            @Override public boolean exists(int osd) { return osd >= 0 && osd < 18; }
            @Override public boolean isUp(int osd) { return Arrays.stream(downOsds).noneMatch(d -> d == osd); }
            @Override public int[] weights() { return w; }
        };
    }

    @Test
    void maskAndStableModMatchCeph() {
        assertThat(PoolPlacement.mask(1)).isZero();
        assertThat(PoolPlacement.mask(12)).isEqualTo(15);
        assertThat(PoolPlacement.mask(16)).isEqualTo(15);
        assertThat(PoolPlacement.mask(17)).isEqualTo(31);
        // ceph_stable_mod(x, 12, 15): values with (x & 15) >= 12 fold to x & 7.
        assertThat(Placement.stableMod(13, 12, 15)).isEqualTo(5);
        assertThat(Placement.stableMod(11, 12, 15)).isEqualTo(11);
        assertThat(Placement.stableMod(0xfffffffc, 12, 15)).isEqualTo(4);
    }

    @Test
    void aDownOsdIsShiftedOutOfAReplicatedUpSetAndLeavesAHoleInAnErasureOne() throws Exception {
        Placement p = placement();
        PoolPlacement replicated = PoolPlacement.replicated(1, 3, 64, 0);
        PgId pg = new PgId(1, 5);
        PgMapping healthy = p.map(replicated, pg, down());
        int victim = healthy.raw()[0];
        PgMapping degraded = p.map(replicated, pg, down(victim));
        assertThat(degraded.raw()).as("raw ignores up/down").containsExactly(healthy.raw());
        assertThat(degraded.up()).containsExactly(healthy.raw()[1], healthy.raw()[2]);
        assertThat(degraded.upPrimary()).isEqualTo(healthy.raw()[1]);
        assertThat(degraded.acting()).containsExactly(degraded.up());

        PoolPlacement erasure = new PoolPlacement(1, true, 3, 64, 64, 2, true, PoolPlacement.ObjectHash.RJENKINS);
        PgMapping ec = p.map(erasure, pg, down());
        int ecVictim = ec.raw()[0];
        PgMapping ecDegraded = p.map(erasure, pg, down(ecVictim));
        assertThat(ecDegraded.up()).containsExactly(ITEM_NONE, ec.raw()[1], ec.raw()[2]);
        assertThat(ecDegraded.upPrimary()).as("first position that is not a hole").isEqualTo(ec.raw()[1]);
    }

    @Test
    void pgTempOverridesActingAndPrimaryTempOverridesThePrimary() throws Exception {
        Placement p = placement();
        PoolPlacement pool = PoolPlacement.replicated(1, 3, 64, 0);
        PgId pg = new PgId(1, 7);
        PgMapping base = p.map(pool, pg, down(9));
        int[] temp = {16, 9, 2};
        PgMapping withTemp = p.map(pool, pg, down(9), Map.of(pg, temp), Map.of());
        assertThat(withTemp.up()).as("up is CRUSH's, pg_temp aside").containsExactly(base.up());
        assertThat(withTemp.upPrimary()).isEqualTo(base.upPrimary());
        assertThat(withTemp.acting()).as("down osd.9 dropped from pg_temp").containsExactly(16, 2);
        assertThat(withTemp.actingPrimary()).isEqualTo(16);
        PgMapping withPrimary = p.map(pool, pg, down(), Map.of(pg, temp), Map.of(pg, 2));
        assertThat(withPrimary.acting()).containsExactly(16, 9, 2);
        assertThat(withPrimary.actingPrimary()).isEqualTo(2);
        // pg_temp is keyed by the PG folded into pg_num: seed 7 + 64 names the same PG.
        PgMapping aliased = p.map(pool, new PgId(1, 7 + 64), down(), Map.of(pg, temp), Map.of());
        assertThat(aliased.acting()).containsExactly(16, 9, 2);
    }

    @Test
    void primaryAffinityZeroNeverLeadsWhenAnotherReplicaCan() throws Exception {
        Placement p = placement();
        PoolPlacement pool = PoolPlacement.replicated(1, 3, 256, 0);
        OsdStates base = down();
        int avoided = 13;
        OsdStates affinity = new OsdStates() {
            @Override public int maxOsd() { return 18; }
            @Override public boolean exists(int osd) { return base.exists(osd); }
            @Override public boolean isUp(int osd) { return true; }
            @Override public int[] weights() { return base.weights(); }
            @Override public int primaryAffinity(int osd) { return osd == avoided ? 0 : Placement.MAX_PRIMARY_AFFINITY; }
            @Override public boolean hasPrimaryAffinity() { return true; }
        };
        int led = 0;
        for (int seed = 0; seed < 256; seed++) {
            PgMapping before = p.map(pool, new PgId(1, seed), base);
            PgMapping after = p.map(pool, new PgId(1, seed), affinity);
            assertThat(after.upPrimary()).as("pg 1.%x", seed).isNotEqualTo(avoided);
            assertThat(after.up()).as("same members, primary moved to the front").containsExactlyInAnyOrder(before.up());
            assertThat(after.up()[0]).isEqualTo(after.upPrimary());
            if (before.upPrimary() == avoided) {
                led++;
            }
        }
        assertThat(led).as("osd.%d led some PGs before", avoided).isPositive();
    }

    @Test
    void badPgIdsAreRefusedWithTheText() {
        assertThatThrownBy(() -> PgId.parse("1")).hasMessageContaining("'1'");
        assertThatThrownBy(() -> PgId.parse("x.1")).hasMessageContaining("POOL.HEXSEED");
        assertThat(PgId.parse("3.1f")).isEqualTo(new PgId(3, 0x1f));
        assertThat(new PgId(3, 0x1f)).hasToString("3.1f");
    }
}
