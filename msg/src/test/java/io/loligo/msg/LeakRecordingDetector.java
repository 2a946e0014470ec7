package io.loligo.msg;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Netty's leak detector, recording what it reports so tests can fail on a leaked buffer instead of
 * a log line nobody reads. Installed through {@code -Dio.netty.customResourceLeakDetector} (surefire
 * configuration); {@link Check} is the JUnit extension the network tests use.
 */
public final class LeakRecordingDetector<T> extends ResourceLeakDetector<T> {
    static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    public LeakRecordingDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        super(resourceType, samplingInterval);
    }

    public LeakRecordingDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add(resourceType + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add(resourceType);
        super.reportUntracedLeak(resourceType);
    }

    /**
     * After a test class: collect garbage, then allocate so the detector polls its queue, then fail
     * on any leak reported during the class. Best effort (the GC decides what is collected), never a
     * false alarm.
     */
    public static final class Check implements AfterAllCallback {
        @Override
        public void afterAll(ExtensionContext context) {
            for (int round = 0; round < 3; round++) {
                System.gc();
                for (int i = 0; i < 100; i++) {
                    ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                    probe.release();
                    ByteBuf adaptive = io.netty.buffer.ByteBufAllocator.DEFAULT.buffer(16);
                    adaptive.release();
                }
            }
            if (!LEAKS.isEmpty()) {
                String report = String.join("\n----\n", LEAKS);
                LEAKS.clear();
                throw new AssertionError("Netty reported leaked buffers in " + context.getDisplayName() + ":\n" + report);
            }
        }
    }
}
