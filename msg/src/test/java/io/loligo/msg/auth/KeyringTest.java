package io.loligo.msg.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The keyring file: Ceph's own keyrings parse; what we write reads back identically; bad files name file, line and problem. */
class KeyringTest {
    /** As `ceph auth get-or-create` writes it (Ceph 16): a 28-byte key blob, tabs, quoted caps. */
    static final String CEPH_KEYRING = """
            [client.admin]
            \tkey = AQBvaBFZAAAAABAA9VHgwCgjsAnTzh8QG2KkUw==
            \tcaps mds = "allow *"
            \tcaps mon = "allow *"
            \tcaps osd = "allow *"
            # a comment
            ; another
            [client.rbd]
                key = AQCkPd1jAAAAABAAm8gYv8uZ0D0b2nKZbU4s0Q==
                caps mon = "allow r"
                caps osd = "allow rwx pool=rbd namespace=images"
            """;

    @Test
    void parsesCephKeyrings() {
        Keyring keyring = Keyring.parse(CEPH_KEYRING, "ceph.keyring");
        assertThat(keyring.entries().keySet()).containsExactly("client.admin", "client.rbd");
        EntityKey admin = keyring.lookup("client.admin").orElseThrow();
        assertThat(admin.key()).isEqualTo(Base64.getDecoder().decode("AQBvaBFZAAAAABAA9VHgwCgjsAnTzh8QG2KkUw=="));
        assertThat(admin.caps()).containsExactly(Map.entry("mds", "allow *"), Map.entry("mon", "allow *"),
                Map.entry("osd", "allow *"));
        Caps rbd = keyring.lookup("client.rbd").orElseThrow().parsedCaps();
        assertThat(rbd.check("osd", "rbd", "images", true, true, true)).isTrue();
        assertThat(rbd.check("osd", "rbd", true, false)).isFalse();
        assertThat(keyring.lookup("client.none")).isEmpty();
    }

    @Test
    void writesDurablyReadableAndPrivate(@TempDir Path dir) throws IOException {
        Keyring keyring = new Keyring()
                .put("osd.3", EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow r",
                        "osd", "allow *")))
                .put("client.admin", EntityKey.of(Keyring.generateKey(), Map.of("mon", "allow *")))
                .put("mon.", EntityKey.of(Keyring.generateKey(), Map.of()));
        Path file = dir.resolve("keyring");
        keyring.write(file);
        Keyring back = Keyring.load(file);
        assertThat(back.entries()).isEqualTo(keyring.entries());
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE));
        assertThat(Files.readString(file)).startsWith("[client.admin]\n\tkey = ").contains("\tcaps mon = \"allow *\"\n");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("keyring");
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource({"mon.,true", "mon.a,true", "osd.0,true", "osd.12,true", "mgr.x,true", "mds.a,true", "client.admin,true",
            "client.rgw.host-1,true", "osd.,false", "osd.a,false", "client.,false", "admin,false", "client admin,false",
            "rgw.x,false", "'',false"})
    void entityNames(String name, boolean valid) {
        assertThat(Keyring.isValidEntityName(name)).isEqualTo(valid);
    }

    @Test
    void generatedKeysAreSixteenRandomBytes() {
        String a = Keyring.generateKey();
        assertThat(Base64.getDecoder().decode(a)).hasSize(16);
        assertThat(a).isNotEqualTo(Keyring.generateKey());
    }

    @Test
    void toStringNeverShowsTheKey() {
        String key = Keyring.generateKey();
        assertThat(EntityKey.of(key, Map.of("mon", "allow r")).toString()).doesNotContain(key);
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
            "key = AAAA|k:1: 'key = AAAA' outside any [entity] section",
            "[client.a]\\ncaps mon = \"allow r\"|section [client.a] has no 'key = ...' line",
            "[client.a]\\nkey = not*base64|secret key is not base64",
            "[client.a]\\nkey = AAAA|secret key decodes to 3 bytes (expected at least 16)",
            "[client.a]\\nkey = AQBvaBFZAAAAABAA9VHgwCgjsAnTzh8QG2KkUw==\\ncaps osd = \"allow q\"|k:3: [client.a]: caps osd",
            "[client.a\\nkey = x|k:1: malformed section header",
            "[client.a]\\nkey x|k:2: expected 'name = value'",
            "[client.a]\\ncaps mon = \"allow r|k:2: unterminated quote",
            "[client.a]\\nkey = AQBvaBFZAAAAABAA9VHgwCgjsAnTzh8QG2KkUw==\\n[client.a]\\nkey = AQBvaBFZAAAAABAA9VHgwCgjsAnTzh8QG2KkUw==|appears twice",
            "[admin]\\nkey = AQBvaBFZAAAAABAA9VHgwCgjsAnTzh8QG2KkUw==|entity name 'admin' is not valid",
            "[osd.x]\\nkey = AQBvaBFZAAAAABAA9VHgwCgjsAnTzh8QG2KkUw==|entity name 'osd.x' is not valid"})
    void badFilesNameTheLineAndTheProblem(String text, String message) {
        assertThatThrownBy(() -> Keyring.parse(text.replace("\\n", "\n"), "k"))
                .isInstanceOf(Keyring.FormatException.class)
                .hasMessageContaining(message);
    }
}
