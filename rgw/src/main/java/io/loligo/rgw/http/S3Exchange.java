package io.loligo.rgw.http;

import io.loligo.rgw.auth.Authenticated;
import io.loligo.rgw.auth.SignedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One S3 request and its response, over Jetty's core API: the addressed bucket and key
 * (path-style {@code /bucket/key} or virtual-hosted {@code bucket.<domain>}), the decoded query,
 * headers, the payload (decoded by the authenticator), and ways to answer. Ops run on a virtual
 * thread, so reading the body and writing the response block.
 */
public final class S3Exchange implements SignedRequest {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final String requestId;
    private final String bucket;
    private final String key;
    private final String vhostBucket;
    private final Map<String, String> query;
    private Authenticated auth;
    private boolean answered;
    private boolean streamed;
    private long bytesOut;

    S3Exchange(Request request, Response response, Callback callback, String domain, String requestId) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.requestId = requestId;
        this.query = parseQuery(rawQuery());
        String path = decodePath(rawPath());
        String host = hostWithoutPort(request.getHeaders().get("Host"));
        String vhost = null;
        if (host != null && host.length() > domain.length() + 1 && host.endsWith("." + domain)) {
            vhost = host.substring(0, host.length() - domain.length() - 1);
        }
        this.vhostBucket = vhost;
        if (vhostBucket != null) {
            bucket = vhostBucket;
            key = path.length() > 1 ? path.substring(1) : null;
        } else {
            String rest = path.startsWith("/") ? path.substring(1) : path;
            int slash = rest.indexOf('/');
            if (rest.isEmpty()) {
                bucket = null;
                key = null;
            } else if (slash < 0) {
                bucket = rest;
                key = null;
            } else {
                bucket = rest.substring(0, slash);
                key = slash + 1 < rest.length() ? rest.substring(slash + 1) : null;
            }
        }
    }

    /** Signature V2 signs "/bucket" + path for virtual-hosted requests (rgw-auth). */
    @Override
    public String virtualHostedBucket() {
        return vhostBucket;
    }

    private static String hostWithoutPort(String host) {
        if (host == null) {
            return null;
        }
        int colon = host.lastIndexOf(':');
        return colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon).toLowerCase() : host.toLowerCase();
    }

    /** Percent-decodes a path as UTF-8 ('+' is a plus in a path). */
    static String decodePath(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        byte[] out = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()
                    && Character.digit(raw.charAt(i + 1), 16) >= 0 && Character.digit(raw.charAt(i + 2), 16) >= 0) {
                out[n++] = (byte) Integer.parseInt(raw.substring(i + 1, i + 3), 16);
                i += 2;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (n + b.length > out.length) {
                    out = java.util.Arrays.copyOf(out, out.length * 2 + b.length);
                }
                System.arraycopy(b, 0, out, n, b.length);
                n += b.length;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                out.putIfAbsent(k, v);
            } catch (IllegalArgumentException e) {
                throw S3Exception.invalidArgument("query parameter '" + part + "' is not valid percent-encoding");
            }
        }
        return out;
    }

    // ---- the request ----

    public String requestId() {
        return requestId;
    }

    public String bucket() {
        return bucket;
    }

    public String key() {
        return key;
    }

    public boolean hasQuery(String name) {
        return query.containsKey(name);
    }

    public String query(String name) {
        return query.get(name);
    }

    public Map<String, String> queryParams() {
        return query;
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    @Override
    public String rawPath() {
        String p = request.getHttpURI().getPath();
        return p == null ? "/" : p;
    }

    @Override
    public String rawQuery() {
        String q = request.getHttpURI().getQuery();
        return q == null ? "" : q;
    }

    @Override
    public List<String> headers(String name) {
        return request.getHeaders().getValuesList(name);
    }

    @Override
    public List<String> headerNames() {
        return List.copyOf(request.getHeaders().getFieldNamesCollection());
    }

    /** All headers (the first value of each name), names as sent. */
    public Iterable<HttpField> headerFields() {
        return request.getHeaders();
    }

    public String remoteAddress() {
        return Request.getRemoteAddr(request);
    }

    void authenticated(Authenticated a) {
        this.auth = a;
    }

    public Authenticated auth() {
        return auth;
    }

    /** The payload, decoded (aws-chunked framing removed, signatures and checksums verified at EOF). */
    public InputStream body() throws IOException {
        return auth.body().decode(Request.asInputStream(request));
    }

    /** The payload's length if known (x-amz-decoded-content-length or Content-Length), else -1. */
    public long contentLength() {
        return auth.decodedContentLength();
    }

    /** Reads a small request document (XML), refusing one over {@code max} bytes. */
    public byte[] smallBody(int max) throws IOException {
        try (InputStream in = body()) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new S3Exception("MaxMessageLengthExceeded", 400, "Your request was too big (limit " + max + " bytes).");
            }
            return b;
        }
    }

    // ---- the response ----

    public void header(String name, String value) {
        if (value != null) {
            response.getHeaders().put(name, value);
        }
    }

    public void addHeader(String name, String value) {
        response.getHeaders().add(name, value);
    }

    public boolean answered() {
        return answered;
    }

    public long bytesOut() {
        return bytesOut;
    }

    /** Answers with a status and no body. */
    public void send(int status) {
        sendBytes(status, null, new byte[0]);
    }

    public void sendXml(int status, Xml xml) {
        sendBytes(status, "application/xml", xml.bytes());
    }

    public void sendBytes(int status, String contentType, byte[] body) {
        answered = true;
        response.setStatus(status);
        if (contentType != null) {
            header("Content-Type", contentType);
        }
        response.getHeaders().put("Content-Length", body.length);
        bytesOut = body.length;
        if ("HEAD".equals(method()) || body.length == 0) {
            response.write(true, null, callback);
        } else {
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    /** Answers a HEAD: the status and the length the GET would send, no body. */
    public void sendBytesHead(int status, long length) {
        answered = true;
        response.setStatus(status);
        response.getHeaders().put("Content-Length", length);
        response.write(true, null, callback);
    }

    /** Starts a streamed body of {@code length} bytes; the caller writes and closes it. */
    public OutputStream stream(int status, long length) {
        answered = true;
        streamed = true;
        response.setStatus(status);
        response.getHeaders().put("Content-Length", length);
        bytesOut = length;
        return Content.Sink.asOutputStream(response);
    }

    /** Completes a streamed response. */
    void succeeded() {
        callback.succeeded();
    }

    void failed(Throwable t) {
        callback.failed(t);
    }

    boolean streamed() {
        return streamed;
    }

    boolean committed() {
        return response.isCommitted();
    }

    Response response() {
        return response;
    }
}
