package io.loligo.rgw.auth;

import java.util.Base64;

/** A checksum the client declared for the payload: its algorithm and base64 value (null until a trailer gives it). */
record ExpectedChecksum(ChecksumAlgorithm algorithm, String base64) {
    /** Throws BadDigest unless {@code actual} is the declared value. */
    void verify(byte[] actual) throws BodyAuthException {
        String got = Base64.getEncoder().encodeToString(actual);
        if (base64 == null || !Canonical.sameSignature(base64.strip(), got)) {
            throw new BodyAuthException(new AuthException("BadDigest", 400, "The " + algorithm.name()
                    + " you specified did not match the calculated checksum (" + algorithm.headerName()
                    + ": declared " + base64 + ", calculated " + got + ")"));
        }
    }
}
