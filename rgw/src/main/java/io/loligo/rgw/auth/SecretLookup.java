package io.loligo.rgw.auth;

import java.util.Optional;

/** Finds the credentials behind an access key (the gateway reads them from RADOS, cached). */
@FunctionalInterface
public interface SecretLookup {
    Optional<Credentials> find(String accessKey);
}
