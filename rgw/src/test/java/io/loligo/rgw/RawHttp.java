package io.loligo.rgw;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** Unsigned HTTP requests, for anonymous access and for what the SDK refuses to send. */
final class RawHttp {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private RawHttp() {}

    /** A GET with a chosen Host header over a plain socket (java.net.http refuses to set Host); returns the body. */
    static String getWithHost(int port, String host, String path) throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    static HttpResponse<String> send(URI endpoint, String method, String pathAndQuery, Map<String, String> headers) throws Exception {
        return send(endpoint, method, pathAndQuery, headers, new byte[0]);
    }

    static HttpResponse<String> send(URI endpoint, String method, String pathAndQuery, Map<String, String> headers, byte[] body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + pathAndQuery))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
