package io.loligo.osd.objectstore;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/** A canonical text dump of a whole store (read through its public API) or of a model, for comparing them. */
final class StateDump {
    private StateDump() {}

    private static String crc(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        return Long.toHexString(c.getValue()) + "/" + data.length;
    }

    static List<String> of(ObjectStore store) {
        List<String> out = new ArrayList<>();
        for (CollectionId c : store.collections()) {
            out.add("coll " + c + " bits " + store.collectionBits(c).orElseThrow());
            Optional<ObjectId> cursor = Optional.empty();
            do {
                ObjectStore.ObjectPage page = store.list(c, cursor.orElse(null), 7);
                for (ObjectId oid : page.objects()) {
                    ObjectStore.ObjectStat st = store.stat(c, oid);
                    byte[] data = store.read(c, oid, 0, (int) st.size());
                    out.add("obj " + oid + " v" + st.version() + " data " + crc(data));
                    store.getattrs(c, oid).forEach((k, v) -> out.add("  attr " + k + "=" + HexFormat.of().formatHex(v)));
                    SortedMap<String, byte[]> omap = new TreeMap<>(Keys::compareUtf8);
                    String after = null;
                    while (true) {
                        ObjectStore.OmapPage p = store.omapList(c, oid, after, "", 5);
                        omap.putAll(p.entries());
                        if (!p.more()) {
                            break;
                        }
                        after = p.entries().lastKey();
                    }
                    omap.forEach((k, v) -> out.add("  omap " + k + "=" + crc(v)));
                    byte[] header = store.omapHeader(c, oid);
                    if (header.length > 0) {
                        out.add("  header " + HexFormat.of().formatHex(header));
                    }
                }
                cursor = page.next();
            } while (cursor.isPresent());
        }
        return out;
    }

    static List<String> of(ModelStore model) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<CollectionId, Integer> c : model.colls.entrySet()) {
            out.add("coll " + c.getKey() + " bits " + c.getValue());
            for (Map.Entry<ObjectId, ModelStore.Obj> e : model.objects.entrySet()) {
                if (!c.getKey().contains(e.getKey(), c.getValue())) {
                    continue;
                }
                ModelStore.Obj o = e.getValue();
                out.add("obj " + e.getKey() + " v" + o.version + " data " + crc(o.data));
                o.attrs.forEach((k, v) -> out.add("  attr " + k + "=" + HexFormat.of().formatHex(v)));
                o.omap.forEach((k, v) -> out.add("  omap " + k + "=" + crc(v)));
                if (o.header != null && o.header.length > 0) {
                    out.add("  header " + HexFormat.of().formatHex(o.header));
                }
            }
        }
        return out;
    }
}
