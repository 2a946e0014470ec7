package io.loligo.rgw.auth;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A plain (not aws-chunked) body checked at its end against the x-amz-content-sha256 the
 * signature covered (XAmzContentSHA256Mismatch) and/or an x-amz-checksum-* header (BadDigest).
 * Reads pass straight through in the caller's blocks; the digests see each block once.
 */
final class VerifyingInputStream extends InputStream {
    private final InputStream raw;
    private final MessageDigest sha256;
    private final byte[] sha256Expected;
    private final ExpectedChecksum checksumExpected;
    private final ChecksumAlgorithm.Running checksum;
    private BodyAuthException failed;
    private boolean verified;

    /** @param sha256Hex the signed payload hash, or null; @param checksum a declared checksum, or null */
    VerifyingInputStream(InputStream raw, String sha256Hex, ExpectedChecksum checksum) {
        this.raw = raw;
        this.sha256 = sha256Hex == null ? null : Canonical.sha256();
        this.sha256Expected = sha256Hex == null ? null : HexFormat.of().parseHex(sha256Hex.toLowerCase());
        this.checksumExpected = checksum;
        this.checksum = checksum == null ? null : checksum.algorithm().start();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failed != null) {
            throw failed;
        }
        if (len == 0) {
            return 0;
        }
        int n = raw.read(b, off, len);
        if (n < 0) {
            verifyOnce();
            return -1;
        }
        if (sha256 != null) {
            sha256.update(b, off, n);
        }
        if (checksum != null) {
            checksum.update(b, off, n);
        }
        return n;
    }

    private void verifyOnce() throws BodyAuthException {
        if (verified) {
            return;
        }
        verified = true;
        try {
            if (sha256 != null && !MessageDigest.isEqual(sha256.digest(), sha256Expected)) {
                throw new BodyAuthException(new AuthException("XAmzContentSHA256Mismatch", 400,
                        "The provided 'x-amz-content-sha256' header does not match what was computed."));
            }
            if (checksum != null) {
                checksumExpected.verify(checksum.finish());
            }
        } catch (BodyAuthException e) {
            failed = e;
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
