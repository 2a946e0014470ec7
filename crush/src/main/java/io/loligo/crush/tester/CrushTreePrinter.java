package io.loligo.crush.tester;

import io.loligo.crush.Bucket;
import io.loligo.crush.CrushMap;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code crushtool --tree}: Ceph 16.2's CrushWrapper::dump_tree with shadow trees shown
 * (CrushTreePlainDumper into a TextTable), byte for byte. Roots (buckets no bucket holds) in
 * ascending id order; each bucket's children sorted as Ceph sorts them (devices by class then
 * id, buckets by name); an item held by two buckets appears under both. Columns ID, CLASS,
 * WEIGHT, one per choose_args set, TYPE NAME; headings left-aligned, values right-aligned
 * except the last column; two spaces between columns.
 */
public final class CrushTreePrinter {
    private CrushTreePrinter() {}

    private record Item(int id, int depth, float weight, int parent, int position) {}

    public static String print(CrushMap map) {
        List<String> headings = new ArrayList<>(List.of("ID", "CLASS", "WEIGHT"));
        for (long index : map.chooseArgs.keySet()) {
            headings.add(index == -1 ? "(compat)" : Long.toString(index));
        }
        headings.add("TYPE NAME");
        List<List<String>> rows = new ArrayList<>();
        for (int root : roots(map)) {
            Deque<Item> stack = new ArrayDeque<>();
            stack.push(new Item(root, 0, weightf(map.bucket(root).weight()), 0, -1));
            while (!stack.isEmpty()) {
                Item qi = stack.pop();
                rows.add(row(map, qi));
                Bucket b = map.bucket(qi.id());
                if (b != null) {
                    pushChildren(map, b, qi, stack);
                }
            }
        }
        return table(headings, rows);
    }

    private static Set<Integer> roots(CrushMap map) {
        Set<Integer> held = new HashSet<>();
        for (Bucket b : map.allBuckets()) {
            for (Bucket.Item item : b.items) {
                held.add(item.id());
            }
        }
        Set<Integer> roots = new TreeSet<>();
        for (Bucket b : map.allBuckets()) {
            if (!held.contains(b.id)) {
                roots.add(b.id);
            }
        }
        return roots;
    }

    /** Children sorted by Ceph's key: devices "CLASS_osd.%08d", buckets "_NAME"; pushed so the smallest comes out first. */
    private static void pushChildren(CrushMap map, Bucket b, Item qi, Deque<Item> stack) {
        TreeMap<String, Item> sorted = new TreeMap<>();
        for (int k = b.items.size() - 1; k >= 0; k--) {
            Bucket.Item item = b.items.get(k);
            String key;
            if (item.id() >= 0) {
                String cls = deviceClass(map, item.id());
                key = (cls == null ? "" : cls) + "_" + String.format("osd.%08d", item.id());
            } else {
                key = "_" + map.itemName(item.id());
            }
            sorted.put(key, new Item(item.id(), qi.depth() + 1, weightf(item.weight()), b.id, k));
        }
        for (Item child : sorted.descendingMap().values()) {
            stack.push(child);
        }
    }

    private static List<String> row(CrushMap map, Item qi) {
        List<String> row = new ArrayList<>();
        row.add(Integer.toString(qi.id()));
        String cls = qi.id() >= 0 ? deviceClass(map, qi.id()) : map.bucket(qi.id()).shadowClass;
        row.add(cls == null ? "" : cls);
        row.add(weight(qi.weight()));
        for (TreeMap<Integer, CrushMap.ChooseArg> args : map.chooseArgs.values()) {
            row.add(chooseArgWeight(args, qi));
        }
        StringBuilder name = new StringBuilder();
        name.append("    ".repeat(qi.depth()));
        if (qi.id() < 0) {
            Bucket b = map.bucket(qi.id());
            name.append(map.typeName(b.type)).append(' ').append(b.name);
        } else {
            name.append(map.itemName(qi.id()));
        }
        row.add(name.toString());
        return row;
    }

    /** The item's weight in its parent's choose_args weight set (position 0), blank where there is none. */
    private static String chooseArgWeight(TreeMap<Integer, CrushMap.ChooseArg> args, Item qi) {
        if (qi.position() < 0) {
            return "";
        }
        CrushMap.ChooseArg arg = args.get(qi.parent());
        if (arg == null || arg.weightSet().isEmpty()) {
            return "";
        }
        return weight(weightf(arg.weightSet().get(0).get(qi.position())));
    }

    private static String deviceClass(CrushMap map, int id) {
        CrushMap.Device d = map.devices.get(id);
        return d == null ? null : d.deviceClass();
    }

    private static float weightf(int weight) {
        return (float) Integer.toUnsignedLong(weight) / (float) 0x10000;
    }

    /** Ceph's weightf_t: "-" below -0.01, "0" below 1e-6, else fixed with 5 decimals (exact value, half-even). */
    static String weight(float w) {
        if (w < -0.01f) {
            return "-";
        }
        if (w < 0.000001f) {
            return "0";
        }
        return new BigDecimal((double) w).setScale(5, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String table(List<String> headings, List<List<String>> rows) {
        int[] width = new int[headings.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = headings.get(c).length();
            for (List<String> row : rows) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < width.length; c++) {
            sb.append(c == 0 ? "" : "  ").append(pad(headings.get(c), width[c], false));
        }
        sb.append('\n');
        for (List<String> row : rows) {
            for (int c = 0; c < width.length; c++) {
                boolean right = c < width.length - 1;
                sb.append(c == 0 ? "" : "  ").append(pad(row.get(c), width[c], right));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }
}
