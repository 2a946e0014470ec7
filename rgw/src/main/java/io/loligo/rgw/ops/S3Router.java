package io.loligo.rgw.ops;

import io.loligo.rgw.http.S3Exception;
import io.loligo.rgw.http.S3Exchange;

/** Maps a request (method, bucket, key, subresource query) to its S3 operation. */
public final class S3Router implements io.loligo.rgw.http.S3Handler.Dispatcher {
    private final BucketOps bucketOps;
    private final ObjectOps objectOps;
    private final ListOps listOps;
    private final MultipartOps multipartOps;
    private final Cors cors;
    private final AdminOps admin;

    public S3Router(Gateway g) {
        this(g, () -> { });
    }

    /** {@code usersChanged} runs after the admin API changed a user (caches of credentials forget). */
    public S3Router(Gateway g, Runnable usersChanged) {
        this.admin = new AdminOps(g, usersChanged);
        this.bucketOps = new BucketOps(g);
        this.objectOps = new ObjectOps(g);
        this.listOps = new ListOps(g);
        this.multipartOps = new MultipartOps(g);
        this.cors = new Cors(g);
    }

    @Override
    public String dispatch(S3Exchange ex) throws Exception {
        if (ex.bucket() == null) {
            if (ex.method().equals("GET")) {
                listOps.listBuckets(ex);
                return "ListBuckets";
            }
            throw S3Exception.methodNotAllowed(ex.method());
        }
        if (ex.bucket().equals("admin") && ex.virtualHostedBucket() == null) {
            return admin.dispatch(ex);   // reserved, as radosgw's rgw_admin_entry
        }
        if (ex.method().equals("OPTIONS")) {
            cors.preflight(ex);
            return "CorsPreflight";
        }
        cors.decorate(ex);
        return ex.key() == null ? bucket(ex) : object(ex);
    }

    private String bucket(S3Exchange ex) throws Exception {
        switch (ex.method()) {
            case "GET" -> {
                return bucketGet(ex);
            }
            case "PUT" -> {
                return bucketOps.put(ex);
            }
            case "HEAD" -> {
                bucketOps.head(ex);
                return "HeadBucket";
            }
            case "DELETE" -> {
                return bucketOps.delete(ex);
            }
            case "POST" -> {
                if (ex.hasQuery("delete")) {
                    objectOps.deleteObjects(ex);
                    return "DeleteObjects";
                }
                throw S3Exception.methodNotAllowed("POST");
            }
            default -> throw S3Exception.methodNotAllowed(ex.method());
        }
    }

    private String bucketGet(S3Exchange ex) throws Exception {
        if (ex.hasQuery("uploads")) {
            multipartOps.listUploads(ex);
            return "ListMultipartUploads";
        }
        if (ex.hasQuery("versions")) {
            listOps.listVersions(ex);
            return "ListObjectVersions";
        }
        String sub = bucketOps.getSubresource(ex);
        if (sub != null) {
            return sub;
        }
        if ("2".equals(ex.query("list-type"))) {
            listOps.listObjects(ex, true);
            return "ListObjectsV2";
        }
        listOps.listObjects(ex, false);
        return "ListObjects";
    }

    private String object(S3Exchange ex) throws Exception {
        switch (ex.method()) {
            case "GET" -> {
                if (ex.hasQuery("uploadId")) {
                    multipartOps.listParts(ex);
                    return "ListParts";
                }
                if (ex.hasQuery("tagging") || ex.hasQuery("acl")) {
                    return objectOps.getSubresource(ex);
                }
                objectOps.get(ex, false);
                return "GetObject";
            }
            case "HEAD" -> {
                objectOps.get(ex, true);
                return "HeadObject";
            }
            case "PUT" -> {
                if (ex.hasQuery("uploadId") || ex.hasQuery("partNumber")) {
                    return multipartOps.uploadPart(ex);
                }
                if (ex.hasQuery("tagging") || ex.hasQuery("acl")) {
                    return objectOps.putSubresource(ex);
                }
                if (ex.header("x-amz-copy-source") != null) {
                    objectOps.copy(ex);
                    return "CopyObject";
                }
                objectOps.put(ex);
                return "PutObject";
            }
            case "DELETE" -> {
                if (ex.hasQuery("uploadId")) {
                    multipartOps.abort(ex);
                    return "AbortMultipartUpload";
                }
                if (ex.hasQuery("tagging")) {
                    return objectOps.deleteTagging(ex);
                }
                objectOps.delete(ex);
                return "DeleteObject";
            }
            case "POST" -> {
                if (ex.hasQuery("uploads")) {
                    multipartOps.create(ex);
                    return "CreateMultipartUpload";
                }
                if (ex.hasQuery("uploadId")) {
                    multipartOps.complete(ex);
                    return "CompleteMultipartUpload";
                }
                throw S3Exception.methodNotAllowed("POST");
            }
            default -> throw S3Exception.methodNotAllowed(ex.method());
        }
    }
}
