package io.loligo.msg.auth;

import java.util.Optional;

/**
 * Where a server finds the key and caps of the entity a client claims to be. The monitors back it
 * with their auth database, OSDs with keys the monitors hand out; a {@link Keyring} is one too.
 * Called on the messenger's I/O thread during the handshake: answer from memory, do not block.
 */
@FunctionalInterface
public interface KeyLookup {
    /** The entity's key and caps, or empty when the entity is unknown. */
    Optional<EntityKey> lookup(String entity);
}
