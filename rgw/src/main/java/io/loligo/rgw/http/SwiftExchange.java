package io.loligo.rgw.http;

import io.loligo.rgw.store.UserInfo;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One Swift request ({@code /swift/v1[/AUTH_account]/CONTAINER/OBJECT}) and its response. The
 * container is a bucket and the object the same object S3 sees. Ops run on a virtual thread.
 */
public final class SwiftExchange {
    /** Where the Swift API lives, as radosgw's default {@code rgw_swift_url_prefix} ("swift"). */
    public static final String PREFIX = "/swift/v1";
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final String container;
    private final String object;
    private final Map<String, String> query;
    private UserInfo user;
    private boolean answered;
    private boolean streamed;
    private long bytesOut;

    SwiftExchange(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        String raw = request.getHttpURI().getPath();
        String rest = raw.length() > PREFIX.length() ? raw.substring(PREFIX.length() + 1) : "";
        if (rest.startsWith("AUTH_")) {   // an account in the URL (rgw_swift_account_in_url): it is the token's user
            int slash = rest.indexOf('/');
            rest = slash < 0 ? "" : rest.substring(slash + 1);
        }
        int slash = rest.indexOf('/');
        String c = slash < 0 ? rest : rest.substring(0, slash);
        String o = slash < 0 ? "" : rest.substring(slash + 1);
        this.container = c.isEmpty() ? null : S3Exchange.decodePath(c);
        this.object = o.isEmpty() ? null : S3Exchange.decodePath(o);
        this.query = new LinkedHashMap<>();
        String q = request.getHttpURI().getQuery();
        if (q != null) {
            for (String part : q.split("&")) {
                if (part.isEmpty()) {
                    continue;
                }
                int eq = part.indexOf('=');
                try {
                    query.putIfAbsent(URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8),
                            eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw new SwiftException(400, "query parameter '" + part + "' is not valid percent-encoding");
                }
            }
        }
    }

    public String method() {
        return request.getMethod();
    }

    public String container() {
        return container;
    }

    public String object() {
        return object;
    }

    public String query(String name) {
        return query.get(name);
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    public Iterable<HttpField> headerFields() {
        return request.getHeaders();
    }

    /** The body's length, or -1 when chunked. */
    public long contentLength() {
        return request.getLength();
    }

    public InputStream body() {
        return Request.asInputStream(request);
    }

    /** The authenticated user (set by the handler from X-Auth-Token). */
    public UserInfo user() {
        return user;
    }

    public void user(UserInfo u) {
        this.user = u;
    }

    /** True for ?format=json (or Accept: application/json). */
    public boolean json() {
        String f = query("format");
        if (f != null) {
            return f.equals("json");
        }
        String accept = header("Accept");
        return accept != null && accept.contains("application/json");
    }

    public void responseHeader(String name, String value) {
        if (value != null) {
            response.getHeaders().put(name, value);
        }
    }

    public void send(int status) {
        sendBytes(status, null, new byte[0]);
    }

    public void sendBytes(int status, String contentType, byte[] body) {
        answered = true;
        response.setStatus(status);
        if (contentType != null) {
            response.getHeaders().put("Content-Type", contentType);
        }
        boolean noBody = "HEAD".equals(method()) || status == 204 || status == 304;
        response.getHeaders().put("Content-Length", noBody && status != 200 ? 0 : body.length);
        bytesOut = noBody ? 0 : body.length;
        response.write(true, noBody || body.length == 0 ? null : ByteBuffer.wrap(body), callback);
    }

    /** A HEAD's answer: {@code length} announced, no body. */
    public void sendHead(int status, long length) {
        answered = true;
        response.setStatus(status);
        response.getHeaders().put("Content-Length", length);
        response.write(true, null, callback);
    }

    public OutputStream stream(int status, long length) {
        answered = true;
        streamed = true;
        response.setStatus(status);
        response.getHeaders().put("Content-Length", length);
        bytesOut = length;
        return Content.Sink.asOutputStream(response);
    }

    boolean answered() {
        return answered;
    }

    boolean streamed() {
        return streamed;
    }

    long bytesOut() {
        return bytesOut;
    }

    void succeeded() {
        callback.succeeded();
    }
}
