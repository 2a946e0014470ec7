package io.loligo.rgw.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Swift API's HTTP side: {@code /auth[/v1.0]} (TempAuth) and {@code /swift/v1/...}. Every
 * response carries X-Trans-Id (and X-Openstack-Request-Id); failures become Swift's plain-text
 * errors with the status radosgw gives (S3 error codes are mapped: NoSuchBucket → 404,
 * BucketNotEmpty → 409, QuotaExceeded → 413, BadDigest → 422, ...).
 */
public final class SwiftHandler {
    private static final Logger log = LoggerFactory.getLogger(SwiftHandler.class);
    private final Service service;
    private final OpStats stats;
    private final AccessLog access;

    /** The Swift operations (in ops/). */
    public interface Service {
        /** TempAuth: checks the credentials in the request and answers with a token. */
        void auth(SwiftExchange ex);

        /** Authenticates (X-Auth-Token), serves the request and returns the operation's name for stats. */
        String dispatch(SwiftExchange ex) throws Exception;
    }

    public SwiftHandler(Service service, OpStats stats, AccessLog access) {
        this.service = service;
        this.stats = stats;
        this.access = access;
    }

    static boolean isSwiftPath(String path) {
        return path.equals("/auth") || path.startsWith("/auth/") || path.equals(SwiftExchange.PREFIX)
                || path.startsWith(SwiftExchange.PREFIX + "/");
    }

    boolean handle(Request request, Response response, Callback callback, String requestId) {
        long start = System.nanoTime();
        response.getHeaders().put("X-Trans-Id", requestId);
        response.getHeaders().put("X-Openstack-Request-Id", requestId);
        SwiftExchange ex = null;
        String op = "swift.Unknown";
        int status;
        try {
            ex = new SwiftExchange(request, response, callback);
            if (request.getHttpURI().getPath().startsWith("/auth")) {
                op = "swift.Auth";
                service.auth(ex);
            } else {
                op = "swift." + service.dispatch(ex);
            }
            if (ex.streamed()) {
                ex.succeeded();
            } else if (!ex.answered()) {
                ex.send(204);
            }
            status = response.getStatus();
        } catch (Throwable t) {
            status = fail(ex, request, response, callback, requestId, t);
        }
        long nanos = System.nanoTime() - start;
        stats.record(op, status, Math.max(0, request.getLength()), ex == null ? 0 : ex.bytesOut(), nanos);
        access.record(Request.getRemoteAddr(request), request.getMethod(), request.getHttpURI().getPathQuery(), status,
                Math.max(0, request.getLength()), ex == null ? 0 : ex.bytesOut(), nanos / 1000, op,
                ex == null || ex.user() == null ? null : ex.user().uid(), requestId);
        return true;
    }

    private int fail(SwiftExchange ex, Request request, Response response, Callback callback, String requestId, Throwable t) {
        int status = statusOf(t);
        String message = messageOf(t);
        if (status >= 500) {
            log.warn("rgw swift {} {} {}: {}", requestId, request.getMethod(), request.getHttpURI().getPathQuery(), t.toString(),
                    t instanceof SwiftException || t instanceof S3Exception ? null : t);
        }
        if (response.isCommitted() || (ex != null && ex.streamed())) {
            callback.failed(t);
            return status;
        }
        response.reset();
        response.getHeaders().put("X-Trans-Id", requestId);
        response.getHeaders().put("X-Openstack-Request-Id", requestId);
        byte[] body = "HEAD".equals(request.getMethod()) || status == 304 ? new byte[0]
                : ("<html><h1>" + reason(status) + "</h1><p>" + escape(message) + "</p></html>").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        if (status == 401) {
            response.getHeaders().put("WWW-Authenticate", "Swift realm=\"Loligo\"");
        }
        if (body.length > 0) {
            response.getHeaders().put("Content-Type", "text/html; charset=UTF-8");
        }
        response.getHeaders().put("Content-Length", body.length);
        response.write(true, body.length == 0 ? null : ByteBuffer.wrap(body), callback);
        return status;
    }

    static int statusOf(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof SwiftException s) {
            return s.status();
        }
        S3Exception e = S3Handler.toS3(c);
        return switch (e.code()) {
            case "NoSuchBucket", "NoSuchKey", "NoSuchVersion" -> 404;
            case "BucketNotEmpty", "BucketAlreadyExists" -> 409;
            case "QuotaExceeded", "EntityTooLarge" -> 413;
            case "BadDigest", "InvalidDigest" -> 422;
            case "InvalidBucketName", "KeyTooLongError", "MetadataTooLarge", "InvalidArgument" -> 400;
            case "IncompleteBody" -> 499;
            default -> e.status();
        };
    }

    private static String messageOf(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof SwiftException s) {
            return s.getMessage();
        }
        return S3Handler.toS3(c).getMessage();
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 412 -> "Precondition Failed";
            case 413 -> "Request Entity Too Large";
            case 416 -> "Requested Range Not Satisfiable";
            case 422 -> "Unprocessable Entity";
            case 503 -> "Service Unavailable";
            default -> "Error " + status;
        };
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

}
