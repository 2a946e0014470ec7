package io.loligo.bench;

import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import io.loligo.crush.CrushMapper;
import io.loligo.crush.text.CrushText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Mappings per second of {@link CrushMapper#doRule} on the 18-OSD hierarchical map Ceph's vectors
 * use (testvectors/crush/maps/hier18.txt): rule 0 = chooseleaf firstn host, 3 replicas; rule 1 =
 * chooseleaf firstn rack. The x values cycle like crushtool's --min-x/--max-x loop.
 * Run: {@code ./bench/run-crush.sh} (also times Ceph's crushtool in the same run).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC"})
public class CrushMapperBench {
    @Param({"0", "1"})
    public int rule;

    private CrushMapper mapper;
    private int[] weights;
    private final int[] out = new int[3];
    private int x;

    @Setup
    public void setUp() throws Exception {
        String root = System.getProperty("loligo.root", ".");
        CrushMap map = CrushText.parse(Files.readString(Path.of(root, "testvectors/crush/maps/hier18.txt")));
        mapper = new CrushMapper(map);
        weights = new int[map.maxDevices()];
        Arrays.fill(weights, CrushConstants.WEIGHT_ONE);
    }

    @Benchmark
    public int map3() {
        return mapper.doRule(rule, x++, out, 3, weights) + out[0];
    }
}
