package io.loligo.bench;

import io.loligo.crush.CrushConstants;
import io.loligo.crush.CrushMap;
import io.loligo.crush.CrushMapper;
import io.loligo.crush.text.CrushText;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Mappings per CPU-second of {@link CrushMapper#doRule} over x = 0..N-1, the loop crushtool's
 * --test runs. CPU time (not wall time) is what we compare with crushtool's user+sys time: on a
 * shared machine it is far less disturbed by other processes than throughput is.
 * Usage: CrushCpuTime MAP.txt RULE NUM_REP N ROUNDS; prints the best round's mappings/CPU-s.
 */
public final class CrushCpuTime {
    private CrushCpuTime() {}

    public static void main(String[] args) throws Exception {
        CrushMap map = CrushText.parse(Files.readString(Path.of(args[0])));
        int rule = Integer.parseInt(args[1]);
        int numRep = Integer.parseInt(args[2]);
        int n = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        CrushMapper mapper = new CrushMapper(map);
        int[] weights = new int[map.maxDevices()];
        Arrays.fill(weights, CrushConstants.WEIGHT_ONE);
        int[] out = new int[numRep];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int x = 0; x < 2_000_000; x++) {   // warm-up: let C2 compile the mapper
            sink += mapper.doRule(rule, x, out, numRep, weights);
        }
        double best = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = threads.getCurrentThreadCpuTime();
            for (int x = 0; x < n; x++) {
                sink += mapper.doRule(rule, x, out, numRep, weights) + out[0];
            }
            long cpuNanos = threads.getCurrentThreadCpuTime() - t0;
            best = Math.max(best, n / (cpuNanos / 1e9));
        }
        System.out.printf("%.0f%n", best);
        if (sink == 42) {
            System.err.println();   // keeps the loop's result alive
        }
    }
}
