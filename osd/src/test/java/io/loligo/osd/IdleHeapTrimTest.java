package io.loligo.osd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdleHeapTrimTest {
    @Test
    void collectsOnceAfterAnIdleSpellAndAgainOnlyAfterActivity() {
        AtomicLong spare = new AtomicLong(100L << 20);
        AtomicInteger collections = new AtomicInteger();
        IdleHeapTrim trim = new IdleHeapTrim(spare::get, collections::incrementAndGet);
        long activity = 0;
        for (int i = 0; i < IdleHeapTrim.IDLE_TICKS * 3; i++) {
            trim.tick(++activity);   // busy: never
        }
        assertThat(collections).hasValue(0);
        for (int i = 0; i < IdleHeapTrim.IDLE_TICKS; i++) {
            trim.tick(activity);
        }
        assertThat(collections).as("after IDLE_TICKS quiet ticks").hasValue(1);
        for (int i = 0; i < IdleHeapTrim.IDLE_TICKS * 3; i++) {
            trim.tick(activity);
        }
        assertThat(collections).as("once per idle spell").hasValue(1);
        trim.tick(++activity);
        spare.set(1 << 20);
        for (int i = 0; i < IdleHeapTrim.IDLE_TICKS * 2; i++) {
            trim.tick(activity);
        }
        assertThat(collections).as("nothing worth giving back").hasValue(1);
        trim.tick(++activity);
        spare.set(IdleHeapTrim.SPARE_BYTES);
        for (int i = 0; i < IdleHeapTrim.IDLE_TICKS; i++) {
            trim.tick(activity);
        }
        assertThat(collections).hasValue(2);
    }
}
