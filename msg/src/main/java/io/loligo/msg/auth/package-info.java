/**
 * Keys and capabilities: the {@link io.loligo.msg.auth.Keyring} file (Ceph's format), the
 * {@link io.loligo.msg.auth.KeyLookup} a server authenticates against, and {@link
 * io.loligo.msg.auth.Caps} ("allow rw pool=rbd") carried to handlers on the {@code Session}.
 */
package io.loligo.msg.auth;
