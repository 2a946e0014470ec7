package io.loligo.rgw.ops;

import io.loligo.rgw.http.S3Exception;

/** The Range header, as S3 reads it: one byte range (first-last, first-, -suffix). */
final class Ranges {
    private Ranges() {}

    /**
     * {start, length} of the range within an object of {@code size} bytes; null when the header
     * is not a single byte range (then the whole object is sent, as S3 does); InvalidRange (416)
     * when the range starts past the end.
     */
    static long[] parse(String header, long size) {
        String h = header.trim();
        if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
            return null;
        }
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        try {
            if (a.isEmpty()) {
                if (b.isEmpty()) {
                    return null;
                }
                long suffix = Long.parseLong(b);
                if (suffix == 0) {
                    throw invalid(size);
                }
                long len = Math.min(suffix, size);
                if (len == 0) {
                    throw invalid(size);
                }
                return new long[] {size - len, len};
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
            if (last < first) {
                return null;
            }
            if (first >= size) {
                throw invalid(size);
            }
            last = Math.min(last, size - 1);
            return new long[] {first, last - first + 1};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** x-amz-copy-source-range: must be bytes=first-last within the source (else InvalidRange / InvalidArgument). */
    static long[] parseCopyRange(String header, long size) {
        String h = header.trim();
        if (!h.startsWith("bytes=")) {
            throw S3Exception.invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last");
        }
        String[] p = h.substring(6).split("-", 2);
        try {
            long first = Long.parseLong(p[0].trim());
            long last = Long.parseLong(p[1].trim());
            if (first < 0 || last < first) {
                throw S3Exception.invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last");
            }
            if (last >= size) {
                throw invalid(size);
            }
            return new long[] {first, last - first + 1};
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw S3Exception.invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last");
        }
    }

    private static S3Exception invalid(long size) {
        return new S3Exception("InvalidRange", 416, "The requested range is not satisfiable (object size " + size + ")");
    }
}
