package io.loligo.msg.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Caps parsing and checks, data-driven: one row per (caps text, question, answer); one row per bad text and its error. */
class CapsTest {
    static Stream<Arguments> checks() {
        return Stream.of(
                // caps text,                                  service, pool,   ns,     r,     w,     x,     allowed
                row("allow *",                                  "osd", "rbd",   "",     true,  true,  true,  true),
                row("allow *",                                  "osd", null,    "",     true,  true,  false, true),
                row("allow r",                                  "osd", "rbd",   "",     true,  false, false, true),
                row("allow r",                                  "osd", "rbd",   "",     true,  true,  false, false),
                row("allow r",                                  "osd", null,    "",     true,  false, false, true),
                row("allow rw",                                 "osd", "any",   "",     true,  true,  false, true),
                row("allow rw",                                 "osd", "any",   "",     false, false, true,  false),
                row("allow rwx",                                "osd", "any",   "ns1",  true,  true,  true,  true),
                row("allow w",                                  "osd", "any",   "",     false, true,  false, true),
                row("allow w",                                  "osd", "any",   "",     true,  false, false, false),
                row("allow r pool=rbd",                         "osd", "rbd",   "",     true,  false, false, true),
                row("allow r pool=rbd",                         "osd", "rbd2",  "",     true,  false, false, false),
                row("allow r pool=rbd",                         "osd", null,    "",     true,  false, false, false),
                row("allow r pool=rbd",                         "osd", "rbd",   "",     true,  true,  false, false),
                row("allow rw pool=data namespace=ns1",         "osd", "data",  "ns1",  true,  true,  false, true),
                row("allow rw pool=data namespace=ns1",         "osd", "data",  "",     true,  false, false, false),
                row("allow rw pool=data namespace=ns1",         "osd", "other", "ns1",  true,  false, false, false),
                row("allow r, allow rw pool=rbd",               "osd", "rbd",   "",     true,  true,  false, true),
                row("allow r, allow rw pool=rbd",               "osd", "x",     "",     true,  true,  false, false),
                row("allow r, allow rw pool=rbd",               "osd", "x",     "",     true,  false, false, true),
                row("allow r pool=a,allow w pool=b",            "osd", "a",     "",     true,  true,  false, false),
                row("allow   rw    pool=rbd",                   "osd", "rbd",   "",     true,  true,  false, true),
                row("allow *",                                  "mon", null,    "",     true,  true,  true,  false));
    }

    private static Arguments row(String caps, String service, String pool, String ns, boolean r, boolean w, boolean x,
                                 boolean allowed) {
        return Arguments.of(caps, service, pool, ns, r, w, x, allowed);
    }

    @ParameterizedTest(name = "[{index}] {0} ? {1} pool={2} ns={3} r={4} w={5} x={6} -> {7}")
    @MethodSource("checks")
    void check(String caps, String service, String pool, String ns, boolean r, boolean w, boolean x, boolean allowed) {
        Caps parsed = Caps.parse("osd", caps);   // rows asking about "mon" prove services do not leak into each other
        assertThat(parsed.check(service, pool, ns, r, w, x)).isEqualTo(allowed);
        if (ns.isEmpty() && !x) {
            assertThat(parsed.check(service, pool, r, w)).as("4-argument form").isEqualTo(allowed);
        }
    }

    static Stream<Arguments> badCaps() {
        return Stream.of(
                Arguments.of("", "must start with 'allow'"),
                Arguments.of("deny r", "must start with 'allow'"),
                Arguments.of("allow", "names no permission"),
                Arguments.of("allow rwz", "is not one of"),
                Arguments.of("allow wr", "is not one of"),
                Arguments.of("allow r pool=", "needs a value"),
                Arguments.of("allow r pool=a pool=b", "unexpected 'pool=b'"),
                Arguments.of("allow r namespace=n pool=a", "unexpected 'pool=a'"),
                Arguments.of("allow r object_prefix=x", "unexpected 'object_prefix=x'"),
                Arguments.of("allow * pool=a", "'allow *' takes no pool"),
                Arguments.of("allow r,", "must start with 'allow'"));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @MethodSource("badCaps")
    void badCapsAreRefusedWithTheReason(String caps, String reason) {
        assertThatThrownBy(() -> Caps.parse("osd", caps))
                .isInstanceOf(Caps.ParseException.class)
                .hasMessageContaining("caps osd \"" + caps + "\"")
                .hasMessageContaining(reason);
    }
}
