package io.loligo.crush.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.crush.CrushMap;
import io.loligo.crush.CrushMapper;
import io.loligo.crush.text.CrushText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Object → PG → OSDs against osdmaptool 16.2.15 (testvectors/crush/osdmap): every PG's raw, up and
 * acting sets with primaries (--test-map-pgs-dump-all) and 233 object names, for seven pools over
 * three maps (pgp_num &lt; pg_num, an out OSD, no hashpspool, device classes).
 */
class PlacementVectorsTest {
    private static final Path VECTORS = Path.of(System.getProperty("loligo.root", "../"), "testvectors/crush");
    private static final Pattern POOL = Pattern.compile(
            "^pool (\\d+) '[^']*' replicated size (\\d+) min_size \\d+ crush_rule (\\d+) object_hash (\\w+) pg_num (\\d+) pgp_num (\\d+).*$",
            Pattern.MULTILINE);
    private static final Pattern DUMP_ALL = Pattern.compile(
            "^(\\S+) raw \\((\\[[^]]*]), p(-?\\d+)\\) up \\((\\[[^]]*]), p(-?\\d+)\\) acting \\((\\[[^]]*]), p(-?\\d+)\\)$");

    record Scenario(String name, CrushMap crush, PoolPlacement pool, OsdStates osds) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Scenario> scenarios() throws IOException {
        List<Scenario> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(VECTORS.resolve("osdmap"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".print.txt")).sorted().toList()) {
                String name = p.getFileName().toString().replace(".print.txt", "");
                out.add(load(name));
            }
        }
        assertThat(out).as("scenarios in %s", VECTORS).hasSizeGreaterThanOrEqualTo(7);
        return out.stream();
    }

    static Scenario load(String name) throws IOException {
        Path dir = VECTORS.resolve("osdmap");
        String print = Files.readString(dir.resolve(name + ".print.txt"));
        Matcher m = POOL.matcher(print);
        assertThat(m.find()).as("%s: pool line", name).isTrue();
        boolean hashPsPool = m.group(0).contains("flags hashpspool");
        PoolPlacement pool = new PoolPlacement(Long.parseLong(m.group(1)), false, Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)), Integer.parseInt(m.group(3)), hashPsPool,
                m.group(4).equals("rjenkins") ? PoolPlacement.ObjectHash.RJENKINS : PoolPlacement.ObjectHash.LINUX);
        Matcher max = Pattern.compile("^max_osd (\\d+)$", Pattern.MULTILINE).matcher(print);
        assertThat(max.find()).as("%s: max_osd", name).isTrue();
        int maxOsd = Integer.parseInt(max.group(1));
        String commands = Files.readString(dir.resolve(name + ".commands.txt"));
        Matcher out = Pattern.compile("--mark-out (\\d+)").matcher(commands);
        int[] weights = new int[maxOsd];
        Arrays.fill(weights, Placement.WEIGHT_IN);
        while (out.find()) {
            weights[Integer.parseInt(out.group(1))] = 0;
        }
        Matcher imp = Pattern.compile("--import-crush maps/(\\w+)\\.bin").matcher(commands);
        assertThat(imp.find()).as("%s: crush map", name).isTrue();
        CrushMap crush = parse(VECTORS.resolve("maps/" + imp.group(1) + ".txt"));
        OsdStates osds = new OsdStates() {
            @Override public int maxOsd() { return maxOsd; }
            @Override public boolean exists(int osd) { return osd >= 0 && osd < maxOsd; }
            @Override public boolean isUp(int osd) { return exists(osd); }
            @Override public int[] weights() { return weights; }
        };
        return new Scenario(name, crush, pool, osds);
    }

    private static CrushMap parse(Path path) throws IOException {
        try {
            return CrushText.parse(Files.readString(path));
        } catch (io.loligo.crush.text.CrushParseException e) {
            throw new AssertionError(path + ": " + e.getMessage(), e);
        }
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void everyPgMapsAsOsdmaptoolSays(Scenario s) throws IOException {
        Placement placement = new Placement(new CrushMapper(s.crush()));
        List<String> lines = Files.readAllLines(VECTORS.resolve("osdmap/" + s.name() + ".pgs-dump-all.out"));
        int checked = 0;
        for (String line : lines) {
            Matcher m = DUMP_ALL.matcher(line);
            if (!m.matches()) {
                continue;
            }
            PgMapping got = placement.map(s.pool(), PgId.parse(m.group(1)), s.osds());
            String where = s.name() + " pg " + m.group(1);
            assertThat(Placement.format(got.raw())).as(where + " raw").isEqualTo(m.group(2));
            assertThat(Placement.format(got.up())).as(where + " up").isEqualTo(m.group(4));
            assertThat(got.upPrimary()).as(where + " up primary").isEqualTo(Integer.parseInt(m.group(5)));
            assertThat(Placement.format(got.acting())).as(where + " acting").isEqualTo(m.group(6));
            assertThat(got.actingPrimary()).as(where + " acting primary").isEqualTo(Integer.parseInt(m.group(7)));
            checked++;
        }
        assertThat(checked).as("%s: PGs checked", s.name()).isEqualTo(s.pool().pgNum());
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void everyObjectMapsAsOsdmaptoolSays(Scenario s) throws IOException {
        Placement placement = new Placement(new CrushMapper(s.crush()));
        List<String> names = Files.readAllLines(VECTORS.resolve("osdmap/objects.txt"), StandardCharsets.UTF_8);
        List<String> results = Files.readAllLines(VECTORS.resolve("osdmap/" + s.name() + ".objects.out"), StandardCharsets.UTF_8)
                .stream().filter(l -> l.startsWith(" object '")).toList();
        assertThat(results).as("%s: one result per name", s.name()).hasSameSizeAs(names);
        for (int i = 0; i < names.size(); i++) {
            String line = results.get(i);
            String tail = line.substring(line.lastIndexOf("' -> ") + 5);   // "1.18 -> [13,6,0]"
            String[] parts = tail.split(" -> ");
            PgId pg = Placement.objectToPg(s.pool(), "", names.get(i));
            PgMapping got = placement.map(s.pool(), pg, s.osds());
            assertThat(pg.toString()).as("%s object #%d %s", s.name(), i, names.get(i)).isEqualTo(parts[0]);
            assertThat(Placement.format(got.acting())).as("%s object #%d %s", s.name(), i, names.get(i)).isEqualTo(parts[1]);
        }
    }
}
