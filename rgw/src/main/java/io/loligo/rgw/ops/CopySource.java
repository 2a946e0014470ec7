package io.loligo.rgw.ops;

import io.loligo.rgw.http.S3Exception;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** x-amz-copy-source: [/]BUCKET/KEY[?versionId=ID], URL-encoded. */
record CopySource(String bucket, String key, String versionId) {
    static CopySource parse(String header) {
        if (header == null || header.isEmpty()) {
            throw S3Exception.invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
        }
        String h = header;
        String versionId = null;
        int q = h.indexOf("?versionId=");
        if (q >= 0) {
            versionId = URLDecoder.decode(h.substring(q + "?versionId=".length()), StandardCharsets.UTF_8);
            h = h.substring(0, q);
        }
        String path = URLDecoder.decode(h.replace("+", "%2B"), StandardCharsets.UTF_8);
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw S3Exception.invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
        }
        return new CopySource(path.substring(0, slash), path.substring(slash + 1), versionId);
    }
}
