package io.loligo.rgw.http;

import io.loligo.client.RadosException;
import io.loligo.rgw.auth.AuthException;
import io.loligo.rgw.auth.Authenticator;
import io.loligo.rgw.auth.BodyAuthException;
import io.loligo.rgw.store.DataIo;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty core handler for the S3 API: stamps x-amz-request-id / x-amz-id-2, authenticates the head,
 * dispatches, and turns every failure into S3's XML error document. Runs on a virtual thread
 * (the server's pool is a VirtualThreadPool), so ops may block on the body and on RADOS.
 */
public final class S3Handler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(S3Handler.class);
    private final Authenticator authenticator;
    private final Dispatcher dispatcher;
    private final String domain;
    private final String hostId;
    private final OpStats stats;
    private final AccessLog accessLog;
    private final SwiftHandler swift;
    private volatile java.util.function.Supplier<String> extraMetrics = () -> "";
    private final AtomicLong seq = new AtomicLong();

    /** Serves one authenticated request. */
    @FunctionalInterface
    public interface Dispatcher {
        /** Answers {@code ex} (or throws S3Exception); returns the S3 operation's name for stats. */
        String dispatch(S3Exchange ex) throws Exception;
    }

    public S3Handler(Authenticator authenticator, Dispatcher dispatcher, String domain, String hostId, OpStats stats) throws java.io.IOException {
        this(authenticator, dispatcher, null, domain, hostId, stats, new AccessLog(null));
    }

    /**
     * The gateway's one handler: S3 requests, and (when {@code swift} is given) the Swift API at
     * {@code /auth} and {@code /swift/v1}; {@code GET /admin/metrics} answers the counters in
     * Prometheus' text format. Every request is counted in {@code stats} and logged to {@code accessLog}.
     */
    public S3Handler(Authenticator authenticator, Dispatcher dispatcher, SwiftHandler.Service swift, String domain, String hostId,
                     OpStats stats, AccessLog accessLog) {
        super(InvocationType.BLOCKING);
        this.authenticator = authenticator;
        this.dispatcher = dispatcher;
        this.domain = domain.toLowerCase();
        this.hostId = hostId;
        this.stats = stats;
        this.accessLog = accessLog;
        this.swift = swift == null ? null : new SwiftHandler(swift, stats, accessLog);
    }

    /** More Prometheus families appended to {@code /admin/metrics} (the server's store counters). */
    public void extraMetrics(java.util.function.Supplier<String> more) {
        this.extraMetrics = more;
    }

    /** A path-style request (no Host: BUCKET.domain), where /auth, /swift and /admin are reserved as in radosgw. */
    private boolean pathStyle(Request request) {
        String host = request.getHeaders().get("Host");
        if (host == null) {
            return true;
        }
        int colon = host.lastIndexOf(':');
        String h = (colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) : host).toLowerCase();
        return !(h.length() > domain.length() + 1 && h.endsWith("." + domain));
    }

    private static final String METRICS_PATH = "/admin/metrics";

    private void metrics(Request request, Response response, Callback callback) {
        byte[] body = (stats.prometheus() + extraMetrics.get()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        response.setStatus(200);
        response.getHeaders().put("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        response.getHeaders().put("Content-Length", body.length);
        response.write(true, "HEAD".equals(request.getMethod()) ? null : java.nio.ByteBuffer.wrap(body), callback);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String requestId = String.format("tx%016x-%s", seq.incrementAndGet(), HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        String path = request.getHttpURI().getPath();
        if (path != null && pathStyle(request)) {
            if (swift != null && SwiftHandler.isSwiftPath(path)) {
                return swift.handle(request, response, callback, requestId);
            }
            if (path.equals(METRICS_PATH) && ("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()))) {
                metrics(request, response, callback);
                return true;
            }
        }
        response.getHeaders().put("x-amz-request-id", requestId);
        response.getHeaders().put("x-amz-id-2", hostId);
        response.getHeaders().put("Server", "Loligo");
        S3Exchange ex = null;
        String op = "Unknown";
        int status;
        try {
            ex = new S3Exchange(request, response, callback, domain, requestId);
            ex.authenticated(authenticator.authenticate(ex));
            op = dispatcher.dispatch(ex);
            if (ex.streamed()) {
                ex.succeeded();
            } else if (!ex.answered()) {
                ex.send(200);
            }
            status = response.getStatus();
        } catch (Throwable t) {
            status = fail(ex, request, response, callback, requestId, t);
        }
        long nanos = System.nanoTime() - start;
        long in = Math.max(0, request.getLength());
        long out = ex == null ? 0 : ex.bytesOut();
        stats.record(op, status, in, out, nanos);
        String user = ex == null || ex.auth() == null || ex.auth().anonymous() ? null : ex.auth().who().map(w -> w.uid()).orElse(null);
        accessLog.record(Request.getRemoteAddr(request), request.getMethod(), request.getHttpURI().getPathQuery(), status, in, out,
                nanos / 1000, op, user, requestId);
        return true;
    }

    private int fail(S3Exchange ex, Request request, Response response, Callback callback, String requestId, Throwable t) {
        S3Exception e = toS3(t);
        if (e.status() >= 500 && e.status() != 501) {
            log.warn("rgw {} {} {}: {}", requestId, request.getMethod(), request.getHttpURI().getPathQuery(), t.toString(),
                    t instanceof S3Exception ? null : t);
        }
        if (response.isCommitted() || (ex != null && ex.streamed())) {
            callback.failed(t);   // the status line is gone: abort the connection so the client sees a short body
            return e.status();
        }
        response.reset();
        response.getHeaders().put("x-amz-request-id", requestId);
        response.getHeaders().put("x-amz-id-2", hostId);
        response.getHeaders().put("Server", "Loligo");
        String resource = request.getHttpURI().getPath();
        Xml xml = Xml.plain("Error").elem("Code", e.code()).elem("Message", e.getMessage())
                .elem("BucketName", e.bucket()).elem("Key", e.key()).elem("Resource", resource)
                .elem("RequestId", requestId).elem("HostId", hostId);
        byte[] body = "HEAD".equals(request.getMethod()) || e.status() == 304 ? new byte[0] : xml.bytes();
        response.setStatus(e.status());
        if (body.length > 0) {
            response.getHeaders().put("Content-Type", "application/xml");
        }
        response.getHeaders().put("Content-Length", body.length);
        response.write(true, body.length == 0 ? null : java.nio.ByteBuffer.wrap(body), callback);
        return e.status();
    }

    static S3Exception toS3(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        return switch (c) {
            case S3Exception s -> s;
            case AuthException a -> new S3Exception(a.code(), a.httpStatus(), a.getMessage());
            case BodyAuthException b -> new S3Exception(b.authCause().code(), b.authCause().httpStatus(), b.getMessage());
            case io.loligo.rgw.store.BucketIndex.BucketGone g -> S3Exception.noSuchBucket(g.bucket());
            case io.loligo.rgw.store.BucketIndex.Contended ct -> new S3Exception("SlowDown", 503, "Please reduce your request rate.");
            case io.loligo.rgw.store.Quotas.Exceeded q -> new S3Exception("QuotaExceeded", 403, q.getMessage());
            case DataIo.TooLarge tl -> new S3Exception("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size.");
            case RadosException.Timeout to -> S3Exception.serviceUnavailable(to.getMessage());
            case RadosException.ClusterFull f -> new S3Exception("InsufficientStorage", 507, "The cluster is full: " + f.getMessage());
            case org.eclipse.jetty.io.EofException eof -> new S3Exception("IncompleteBody", 400,
                    "You did not provide the number of bytes specified by the Content-Length HTTP header.");
            case java.io.IOException io when io.getCause() instanceof java.util.concurrent.TimeoutException -> new S3Exception(
                    "RequestTimeout", 400, "Your socket connection to the server was not read from or written to within the timeout period.");
            default -> S3Exception.internal(c.toString());
        };
    }
}
