package io.loligo.osd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loligo.maps.monc.ClusterConf;
import io.loligo.osd.objectstore.StoreOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class OsdMemoryTest {
    private static ClusterConf conf(String text) throws ClusterConf.ConfException {
        return ClusterConf.parse(text, Path.of("test.conf"));
    }

    @Test
    void defaultIsOneGibAndKeepsTheStoresRocksDbSizes() throws Exception {
        OsdMemory m = OsdConfig.memory(conf("[global]\nfsid = x\n"), "osd.0");
        assertEquals(1L << 30, m.targetBytes());
        StoreOptions s = m.storeOptions(StoreOptions.defaults());
        assertEquals(StoreOptions.defaults(), s, "at 1 GiB the store keeps its tuned cache and memtable sizes");
        assertEquals(List.of("-Xmx448m", "-Xms64m"), m.jvmFlags().subList(0, 2));
    }

    @Test
    void capsLeaveSlackForStacksAndMallocAtEveryTarget() {
        for (long t = OsdMemory.MIN_TARGET; t <= (16L << 30); t += 96L << 20) {
            OsdMemory m = new OsdMemory(t);
            long capped = m.heapBytes() + m.directBytes() + m.rocksDbBytes() + m.codeCacheBytes() + m.metaspaceBytes();
            assertTrue(capped <= t * 7 / 8, "target " + t + ": capped pools " + capped);
            assertTrue(m.heapBytes() >= 200L << 20, "target " + t + ": heap " + m.heapBytes());
            assertEquals(m.rocksDbBytes(), m.blockCacheBytes() + m.memtableBytes());
        }
    }

    @Test
    void perOsdSectionAndSuffixes() throws Exception {
        ClusterConf c = conf("[osd]\nosd_memory_target = 2G\n[osd.1]\nosd memory target = 768MiB\n[osd.2]\n"
                + "osd_memory_target = 805306368\n");
        assertEquals(2L << 30, OsdConfig.memory(c, "osd.0").targetBytes());
        assertEquals(768L << 20, OsdConfig.memory(c, "osd.1").targetBytes());
        assertEquals(768L << 20, OsdConfig.memory(c, "osd.2").targetBytes());
        assertTrue(OsdConfig.memory(c, "osd.0").jvmFlags().contains("-Xmx896m"));
    }

    @Test
    void badValuesAreTypedErrors() throws Exception {
        for (String v : List.of("lots", "100M", "-1G", "1T", "0", "1.5G", "99999999999999G")) {
            ClusterConf c = conf("[osd]\nosd_memory_target = " + v + "\n");
            var e = assertThrows(ClusterConf.ConfException.class, () -> OsdConfig.memory(c, "osd.0"), v);
            assertTrue(e.getMessage().contains("osd_memory_target"), e.getMessage());
        }
    }
}
