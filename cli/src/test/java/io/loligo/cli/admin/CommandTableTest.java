package io.loligo.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Command lines to monitor commands, as Ceph's CLI maps them: one row per case, expected JSON or usage error. */
class CommandTableTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            status                                  | {"prefix":"status"}
            health detail                           | {"prefix":"health","detail":true}
            health                                  | {"prefix":"health"}
            osd pool create rbd 64                  | {"prefix":"osd pool create","pool":"rbd","pg_num":"64"}
            osd pool create rbd                     | {"prefix":"osd pool create","pool":"rbd"}
            osd pool mksnap rbd s1                  | {"prefix":"osd pool mksnap","pool":"rbd","snap":"s1"}
            osd pool lssnap rbd                     | {"prefix":"osd pool lssnap","pool":"rbd"}
            osd pool ls detail                      | {"prefix":"osd pool ls","detail":true}
            osd pool rm a a                         | {"prefix":"osd pool rm","pool":"a","pool2":"a"}
            osd out 1 2                             | {"prefix":"osd out","ids":["1","2"]}
            osd crush move h1 root=default          | {"prefix":"osd crush move","name":"h1","args":["root=default"]}
            osd map rbd foo                         | {"prefix":"osd map","pool":"rbd","object":"foo"}
            auth get-or-create client.x mon allow_r | {"prefix":"auth get-or-create","entity":"client.x","caps":["mon","allow_r"]}
            config get osd.1                        | {"prefix":"config get","who":"osd.1"}
            osd pool application enable p rgw       | {"prefix":"osd pool application enable","pool":"p","app":"rgw"}
            """)
    void parses(String line, String json) throws Exception {
        assertThat(CommandTable.parse(Arrays.asList(line.trim().split("\\s+"))).toString()).isEqualTo(json.trim());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            osd frob              | unknown command
            osd pool create       | missing <pool>
            osd reweight 1        | missing <weight>
            osd pool ls detail x  | unexpected 'x'
            osd out               | missing ids
            """)
    void refuses(String line, String message) {
        List<String> words = Arrays.asList(line.trim().split("\\s+"));
        assertThatThrownBy(() -> CommandTable.parse(words)).isInstanceOf(CommandTable.UsageException.class)
                .hasMessageContaining(message.trim());
    }

    @org.junit.jupiter.api.Test
    void lssnapPrintsLikeRadosLssnap() throws Exception {
        var d = io.loligo.maps.monc.MonReply.json().readTree(
                "[{\"snapid\":1,\"name\":\"a\",\"stamp\":0},{\"snapid\":3,\"name\":\"b\",\"stamp\":86400000}]");
        assertThat(TextOutput.render("osd pool lssnap", null, d, 1))
                .isEqualTo("1\ta\t1970.01.01 00:00:00\n3\tb\t1970.01.02 00:00:00\n2 snaps\n");
    }
}
