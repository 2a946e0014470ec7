package io.loligo.osd;

import com.fasterxml.jackson.databind.JsonNode;
import io.loligo.maps.monc.MonConnection;
import io.loligo.maps.monc.MonReply;
import io.loligo.msg.auth.EntityKey;
import io.loligo.msg.auth.KeyLookup;
import io.loligo.msg.auth.Keyring;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may talk to this OSD: the keys and caps of clients and peer OSDs, answered from memory (the
 * messenger asks on its I/O thread). Two sources, refreshed in the background: the cluster keyring
 * file (the local cluster writes the admin and OSD keys there) and, when this OSD's monitor caps
 * allow reading the auth database, the monitors' {@code auth ls} (so clients created later with
 * {@code auth get-or-create} can reach the OSDs too).
 */
final class OsdKeys implements KeyLookup {
    private static final Logger log = LoggerFactory.getLogger(OsdKeys.class);

    private final Path keyringPath;
    private volatile Keyring keyring = new Keyring();
    private final Map<String, EntityKey> fromMons = new ConcurrentHashMap<>();
    private volatile boolean monsRefused;

    OsdKeys(Path keyringPath) {
        this.keyringPath = keyringPath;
    }

    @Override
    public Optional<EntityKey> lookup(String entity) {
        Optional<EntityKey> k = keyring.lookup(entity);
        return k.isPresent() ? k : Optional.ofNullable(fromMons.get(entity));
    }

    /** Re-reads the keyring file; a bad file keeps the previous keys (and is logged). */
    void reloadKeyring() {
        if (keyringPath == null) {
            return;
        }
        try {
            keyring = Keyring.load(keyringPath);
        } catch (Exception e) {
            log.warn("cannot reload keyring {}: {}", keyringPath, e.getMessage());
        }
    }

    /** Copies the monitors' auth database, if our caps allow it. */
    void refreshFromMons(MonConnection mon) {
        if (monsRefused) {
            return;
        }
        try {
            MonReply r = mon.command(MonReply.json().createObjectNode().put("prefix", "auth ls"));
            if (!r.ok()) {
                monsRefused = true;
                log.info("monitors refused 'auth ls' ({}); OSD authenticates from the keyring file only", r.outs());
                return;
            }
            for (JsonNode e : r.data().path("auth_dump")) {
                Map<String, String> caps = new TreeMap<>();
                e.path("caps").fields().forEachRemaining(c -> caps.put(c.getKey(), c.getValue().asText()));
                try {
                    fromMons.put(e.path("entity").asText(), EntityKey.of(e.path("key").asText(), caps));
                } catch (IllegalArgumentException bad) {
                    log.warn("auth entry {} unusable: {}", e.path("entity").asText(), bad.getMessage());
                }
            }
        } catch (Exception e) {
            log.debug("auth ls failed: {}", e.toString());
        }
    }
}
