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
    private static final Logger access = LoggerFactory.getLogger("io.loligo.rgw.access");
    private final Authenticator authenticator;
    private final Dispatcher dispatcher;
    private final String domain;
    private final String hostId;
    private final OpStats stats;
    private final AtomicLong seq = new AtomicLong();

    /** Serves one authenticated request. */
    @FunctionalInterface
    public interface Dispatcher {
        /** Answers {@code ex} (or throws S3Exception); returns the S3 operation's name for stats. */
        String dispatch(S3Exchange ex) throws Exception;
    }

    public S3Handler(Authenticator authenticator, Dispatcher dispatcher, String domain, String hostId, OpStats stats) {
        super(InvocationType.BLOCKING);
        this.authenticator = authenticator;
        this.dispatcher = dispatcher;
        this.domain = domain.toLowerCase();
        this.hostId = hostId;
        this.stats = stats;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String requestId = String.format("tx%016x-%s", seq.incrementAndGet(), HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
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
        stats.record(op, status, ex == null ? 0 : ex.bytesOut(), System.nanoTime() - start);
        if (access.isDebugEnabled()) {
            access.debug("{} {} {} {} {} {} {}us", Request.getRemoteAddr(request), request.getMethod(), request.getHttpURI().getPathQuery(),
                    op, status, requestId, (System.nanoTime() - start) / 1000);
        }
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
