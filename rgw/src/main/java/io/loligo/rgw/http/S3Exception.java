package io.loligo.rgw.http;

/**
 * A request the gateway refuses: an S3 error code (NoSuchKey, InvalidRange, ...), its HTTP status
 * and a message for the client, answered as S3's XML error document. Bad input is never a crash.
 */
public final class S3Exception extends RuntimeException {
    private final String code;
    private final int status;
    private final String bucket;
    private final String key;

    public S3Exception(String code, int status, String message) {
        this(code, status, message, null, null);
    }

    public S3Exception(String code, int status, String message, String bucket, String key) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
        this.bucket = bucket;
        this.key = key;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    public String bucket() {
        return bucket;
    }

    public String key() {
        return key;
    }

    public static S3Exception noSuchBucket(String bucket) {
        return new S3Exception("NoSuchBucket", 404, "The specified bucket does not exist", bucket, null);
    }

    public static S3Exception noSuchKey(String bucket, String key) {
        return new S3Exception("NoSuchKey", 404, "The specified key does not exist.", bucket, key);
    }

    public static S3Exception noSuchUpload(String uploadId) {
        return new S3Exception("NoSuchUpload", 404, "The specified multipart upload " + uploadId + " does not exist.");
    }

    public static S3Exception accessDenied() {
        return new S3Exception("AccessDenied", 403, "Access Denied");
    }

    public static S3Exception invalidArgument(String message) {
        return new S3Exception("InvalidArgument", 400, message);
    }

    public static S3Exception malformedXml(String message) {
        return new S3Exception("MalformedXML", 400,
                "The XML you provided was not well-formed or did not validate against our published schema: " + message);
    }

    public static S3Exception notImplemented(String what) {
        return new S3Exception("NotImplemented", 501, "A header or query you provided implies functionality that is not implemented: " + what);
    }

    public static S3Exception methodNotAllowed(String method) {
        return new S3Exception("MethodNotAllowed", 405, "The specified method " + method + " is not allowed against this resource.");
    }

    public static S3Exception internal(String message) {
        return new S3Exception("InternalError", 500, "We encountered an internal error. Please try again. (" + message + ")");
    }

    public static S3Exception serviceUnavailable(String message) {
        return new S3Exception("ServiceUnavailable", 503, "Please reduce your request rate. (" + message + ")");
    }
}
