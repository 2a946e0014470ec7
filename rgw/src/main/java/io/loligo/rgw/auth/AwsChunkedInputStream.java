package io.loligo.rgw.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decodes an aws-chunked request body (Content-Encoding: aws-chunked) into its payload, verifying
 * it as it streams. The wire format (S3 API, "sigv4-streaming" and "sigv4-streaming-trailers"):
 *
 * <pre>
 * body     = *chunk last-chunk [trailers] CRLF
 * chunk    = hex-size [";chunk-signature=" 64HEX] CRLF data CRLF
 * last     = "0" [";chunk-signature=" 64HEX] CRLF
 * trailers = *(name ":" value CRLF) ["x-amz-trailer-signature:" 64HEX CRLF]
 * </pre>
 *
 * Signed modes (a {@link ChunkSigner}) check every chunk's signature when the chunk ends and the
 * trailer signature after the trailers; a declared trailer checksum (x-amz-trailer) or checksum
 * header is checked at the end, as is x-amz-decoded-content-length. A failure is thrown as a
 * {@link BodyAuthException} from read() and again from every later read.
 *
 * <p>Memory is bounded (one 64 KiB buffer, header lines of at most 4 KiB, at most 16 trailers)
 * whatever the chunk sizes. Data moves in blocks: straight from the socket into the caller's
 * array when the buffer is empty (header lines are looked for with small reads), so a large read
 * costs one copy and one digest pass.
 */
final class AwsChunkedInputStream extends InputStream {
    static final int BUFFER_BYTES = 64 * 1024;
    static final int LINE_BYTES_MAX = 4096;
    static final int TRAILERS_MAX = 16;
    /**
     * Reads that look for a header line ask for this much at most, so the chunk data after it is
     * mostly read straight into the caller's array (one copy) rather than through our buffer (two).
     */
    static final int HEADER_READ_BYTES = 512;
    private static final String SIG_PREFIX = "chunk-signature=";

    private enum State { HEADER, DATA, DONE }

    private final InputStream raw;
    private final byte[] buf = new byte[BUFFER_BYTES];
    private int pos;
    private int lim;
    private final ChunkSigner signer;
    private final MessageDigest chunkDigest;
    private final ChecksumAlgorithm trailerAlgorithm;
    private final ExpectedChecksum headerChecksum;
    private final ChecksumAlgorithm.Running checksum;
    private final long decodedLengthExpected;
    private long decodedLength;
    private long chunkRemaining;
    private String chunkSignature;
    private State state = State.HEADER;
    private BodyAuthException failed;

    /**
     * @param signer the signature chain, or null for STREAMING-UNSIGNED-PAYLOAD-TRAILER
     * @param trailerAlgorithm the checksum the x-amz-trailer header promised, or null
     * @param headerChecksum a checksum declared in a header, or null (at most one of the two)
     * @param decodedLengthExpected x-amz-decoded-content-length, or -1
     */
    AwsChunkedInputStream(InputStream raw, ChunkSigner signer, ChecksumAlgorithm trailerAlgorithm,
            ExpectedChecksum headerChecksum, long decodedLengthExpected) {
        this.raw = raw;
        this.signer = signer;
        this.chunkDigest = signer == null ? null : Canonical.sha256();
        this.trailerAlgorithm = trailerAlgorithm;
        this.headerChecksum = headerChecksum;
        ChecksumAlgorithm algorithm = trailerAlgorithm != null ? trailerAlgorithm
                : headerChecksum != null ? headerChecksum.algorithm() : null;
        this.checksum = algorithm == null ? null : algorithm.start();
        this.decodedLengthExpected = decodedLengthExpected;
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
        try {
            while (true) {
                switch (state) {
                    case DONE -> {
                        return -1;
                    }
                    case HEADER -> readChunkHeader();
                    case DATA -> {
                        if (chunkRemaining > 0) {
                            return readData(b, off, (int) Math.min(len, chunkRemaining));
                        }
                        endChunk();
                    }
                }
            }
        } catch (BodyAuthException e) {
            failed = e;
            throw e;
        }
    }

    private int readData(byte[] b, int off, int len) throws IOException {
        int n;
        if (pos < lim) {
            n = Math.min(len, lim - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
        } else {
            n = raw.read(b, off, len);
            if (n < 0) {
                throw incomplete("the body ended inside a chunk, " + chunkRemaining + " bytes short");
            }
        }
        if (chunkDigest != null) {
            chunkDigest.update(b, off, n);
        }
        if (checksum != null) {
            checksum.update(b, off, n);
        }
        chunkRemaining -= n;
        decodedLength += n;
        if (decodedLengthExpected >= 0 && decodedLength > decodedLengthExpected) {
            throw incomplete("the chunks carry more than x-amz-decoded-content-length " + decodedLengthExpected);
        }
        return n;
    }

    private void readChunkHeader() throws IOException {
        String line = readLine();
        if (line == null) {
            throw incomplete("the body ended before its last chunk");
        }
        int semi = line.indexOf(';');
        String sizeHex = (semi < 0 ? line : line.substring(0, semi)).strip();
        long size = parseSize(sizeHex);
        chunkSignature = null;
        if (semi >= 0) {
            String ext = line.substring(semi + 1).strip();
            if (ext.startsWith(SIG_PREFIX)) {
                chunkSignature = ext.substring(SIG_PREFIX.length());
            }
        }
        if (signer != null && chunkSignature == null) {
            throw new BodyAuthException(new AuthException("SignatureDoesNotMatch", 403,
                    "a chunk of a signed aws-chunked body carries no chunk-signature: " + clip(line)));
        }
        chunkRemaining = size;
        if (size > 0) {
            state = State.DATA;
            return;
        }
        verifyChunkSignature();
        readTrailers();
        finish();
        state = State.DONE;
    }

    private static long parseSize(String hex) throws BodyAuthException {
        if (hex.isEmpty() || hex.length() > 15) {
            throw malformed("chunk size '" + clip(hex) + "' is not 1 to 15 hex digits");
        }
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                throw malformed("chunk size '" + clip(hex) + "' is not hexadecimal");
            }
            size = size << 4 | d;
        }
        return size;
    }

    private void endChunk() throws IOException {
        String crlf = readLine();
        if (crlf == null) {
            throw incomplete("the body ended after a chunk's data, before its CRLF");
        }
        if (!crlf.isEmpty()) {
            throw malformed("a chunk's data is followed by '" + clip(crlf) + "' instead of CRLF");
        }
        verifyChunkSignature();
        state = State.HEADER;
    }

    private void verifyChunkSignature() throws BodyAuthException {
        if (signer == null) {
            return;
        }
        String expected = signer.nextChunk(chunkDigest.digest());
        if (!Canonical.sameSignature(expected, chunkSignature)) {
            throw new BodyAuthException(new AuthException("SignatureDoesNotMatch", 403,
                    "a chunk signature of the aws-chunked body does not match (at decoded byte " + decodedLength + ")"));
        }
    }

    private void readTrailers() throws IOException {
        List<String[]> trailers = new ArrayList<>();
        String trailerSignature = null;
        for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw malformed("trailer line '" + clip(line) + "' is not name:value");
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (name.equals("x-amz-trailer-signature")) {
                trailerSignature = value;
            } else if (trailers.size() == TRAILERS_MAX) {
                throw malformed("more than " + TRAILERS_MAX + " trailers");
            } else {
                trailers.add(new String[] {name, value});
            }
        }
        if (signer != null && trailerAlgorithm != null) {
            verifyTrailerSignature(trailers, trailerSignature);
        }
        if (trailerAlgorithm != null) {
            String value = null;
            for (String[] t : trailers) {
                if (t[0].equals(trailerAlgorithm.headerName())) {
                    value = t[1];
                }
            }
            if (value == null) {
                throw malformed("x-amz-trailer promised " + trailerAlgorithm.headerName() + " but the body has no such trailer");
            }
            new ExpectedChecksum(trailerAlgorithm, value).verify(checksum.finish());
        }
    }

    private void verifyTrailerSignature(List<String[]> trailers, String given) throws BodyAuthException {
        StringBuilder canonical = new StringBuilder();
        for (String[] t : trailers) {
            canonical.append(t[0]).append(':').append(t[1]).append('\n');
        }
        String expected = signer.trailer(canonical.toString());
        if (given == null || !Canonical.sameSignature(expected, given)) {
            throw new BodyAuthException(new AuthException("SignatureDoesNotMatch", 403,
                    given == null ? "the signed trailers carry no x-amz-trailer-signature"
                            : "the trailer signature of the aws-chunked body does not match"));
        }
    }

    private void finish() throws BodyAuthException {
        if (decodedLengthExpected >= 0 && decodedLength != decodedLengthExpected) {
            throw incomplete("the chunks carry " + decodedLength + " bytes, x-amz-decoded-content-length says "
                    + decodedLengthExpected);
        }
        if (headerChecksum != null) {
            headerChecksum.verify(checksum.finish());
        }
    }

    /** One CRLF- (or LF-) terminated line without its terminator; null at end of stream with nothing read. */
    private String readLine() throws IOException {
        int scanned = 0;
        while (true) {
            for (int i = pos + scanned; i < lim; i++) {
                if (buf[i] == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    String line = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    return line;
                }
            }
            scanned = lim - pos;
            if (scanned > LINE_BYTES_MAX) {
                throw malformed("a chunk header or trailer line is longer than " + LINE_BYTES_MAX + " bytes");
            }
            if (!fill()) {
                if (scanned == 0) {
                    return null;
                }
                String line = new String(buf, pos, scanned, StandardCharsets.ISO_8859_1);
                pos = lim;
                return line;
            }
        }
    }

    /** Moves unread bytes to the front and reads more; false at end of stream. */
    private boolean fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        int n = raw.read(buf, lim, Math.min(buf.length - lim, HEADER_READ_BYTES));
        if (n < 0) {
            return false;
        }
        lim += n;
        return true;
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    private static BodyAuthException incomplete(String why) {
        return new BodyAuthException(new AuthException("IncompleteBody", 400,
                "You did not provide the number of bytes specified: " + why));
    }

    private static BodyAuthException malformed(String why) {
        return new BodyAuthException(new AuthException("InvalidArgument", 400, "malformed aws-chunked body: " + why));
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
