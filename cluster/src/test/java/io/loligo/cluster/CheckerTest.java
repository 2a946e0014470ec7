package io.loligo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.cluster.History.Kind;
import io.loligo.cluster.History.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checker on crafted histories: what a correct cluster may show passes; a lost acknowledged
 * write or append, a phantom, torn or duplicated record, and a refused append that appears anyway
 * are each caught and counted.
 */
class CheckerTest {
    private final History h = new History();
    private final Map<String, String> finals = new HashMap<>();

    private void op(int p, String key, Kind kind, String value, long t0, long t1, Outcome outcome) {
        h.add(p, key, kind, value, t0 * 1_000_000, t1 * 1_000_000, outcome, null);
    }

    @Test
    void correctHistoryPasses() {
        op(0, "reg-0", Kind.WRITE, "p0-0", 0, 1, Outcome.OK);
        op(1, "reg-0", Kind.WRITE, "p1-0", 2, 3, Outcome.UNKNOWN);
        op(0, "log-0", Kind.APPEND, "p0-1;", 4, 5, Outcome.OK);
        op(1, "log-0", Kind.APPEND, "p1-1;", 4, 6, Outcome.UNKNOWN);
        op(0, "log-0", Kind.READ, "p0-1;", 7, 8, Outcome.OK);
        finals.put("reg-0", "p1-0");   // the unknown write happened after all
        finals.put("log-0", "p0-1;");  // the unknown append did not
        Checker.Report r = Checker.check(h, finals);
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(r.issued()).isEqualTo(5);
        assertThat(r.acknowledged()).isEqualTo(3);
        assertThat(r.verdict()).isEqualTo("linearizable");
    }

    @Test
    void lostAcknowledgedRegisterWriteIsCounted() {
        op(0, "reg-0", Kind.WRITE, "p0-0", 0, 1, Outcome.OK);
        op(0, "reg-0", Kind.WRITE, "p0-1", 2, 3, Outcome.OK);
        finals.put("reg-0", "p0-0");
        Checker.Report r = Checker.check(h, finals);
        assertThat(r.ackedLost()).isEqualTo(1);
        assertThat(r.verdict()).isEqualTo("FAIL");
    }

    @Test
    void vanishedObjectLosesEveryAcknowledgedWrite() {
        op(0, "reg-1", Kind.WRITE, "p0-0", 0, 1, Outcome.OK);
        finals.put("reg-1", null);
        assertThat(Checker.check(h, finals).ackedLost()).isEqualTo(1);
    }

    @Test
    void lostAcknowledgedAppendIsCounted() {
        op(0, "log-0", Kind.APPEND, "p0-0;", 0, 1, Outcome.OK);
        op(1, "log-0", Kind.APPEND, "p1-0;", 0, 1, Outcome.OK);
        finals.put("log-0", "p1-0;");
        Checker.Report r = Checker.check(h, finals);
        assertThat(r.ackedLost()).isEqualTo(1);
        assertThat(r.ok()).isFalse();
    }

    @Test
    void phantomAndTornReadsAreCaught() {
        op(0, "reg-0", Kind.WRITE, "p0-0", 0, 1, Outcome.OK);
        op(1, "reg-0", Kind.READ, "p9-9", 2, 3, Outcome.OK);
        op(1, "reg-0", Kind.READ, Values.TORN, 4, 5, Outcome.OK);
        finals.put("reg-0", "p0-0");
        assertThat(Checker.check(h, finals).phantomReads()).isEqualTo(2);
    }

    @Test
    void duplicatedOrRefusedRecordsAreCaught() {
        op(0, "log-1", Kind.APPEND, "p0-0;", 0, 1, Outcome.OK);
        op(0, "log-1", Kind.APPEND, "p0-1;", 2, 3, Outcome.FAIL);
        finals.put("log-1", "p0-0;p0-1;");
        assertThat(Checker.check(h, finals).phantomReads()).isEqualTo(1);
        finals.put("log-1", "p0-0;p0-0;");
        assertThat(Checker.check(h, finals).ok()).isFalse();
    }

    @Test
    void registerEncodingDetectsMixedWrites() {
        byte[] a = Values.register("p0-1", 64);
        byte[] b = Values.register("p1-22", 64);
        assertThat(Values.decodeRegister(a)).isEqualTo("p0-1");
        byte[] mixed = a.clone();
        System.arraycopy(b, 0, mixed, 0, 20);
        assertThat(Values.decodeRegister(mixed)).isEqualTo(Values.TORN);
        assertThat(Values.decodeRegister(java.util.Arrays.copyOf(a, 30))).isEqualTo(Values.TORN);
        assertThat(Values.decodeRegister("garbage".getBytes(StandardCharsets.UTF_8))).isEqualTo(Values.TORN);
    }
}
