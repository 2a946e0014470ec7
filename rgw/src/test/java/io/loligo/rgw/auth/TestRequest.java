package io.loligo.rgw.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A {@link SignedRequest} built by hand: what the HTTP layer would hand the authenticator. */
final class TestRequest implements SignedRequest {
    private final String method;
    private final String rawPath;
    private final String rawQuery;
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private final Map<String, String> names = new LinkedHashMap<>();
    private String virtualHostedBucket;

    TestRequest(String method, String rawPath, String rawQuery) {
        this.method = method;
        this.rawPath = rawPath;
        this.rawQuery = rawQuery == null ? "" : rawQuery;
    }

    static TestRequest of(String method, String target) {
        int q = target.indexOf('?');
        return new TestRequest(method, q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1));
    }

    TestRequest header(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        names.putIfAbsent(key, name);
        headers.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        return this;
    }

    /** A copy with {@code name} set to just {@code value}. */
    TestRequest replaceHeader(String name, String value) {
        return copy(rawPath, rawQuery).removeInPlace(name).header(name, value);
    }

    /** A copy without {@code name}. */
    TestRequest removeHeader(String name) {
        return copy(rawPath, rawQuery).removeInPlace(name);
    }

    private TestRequest removeInPlace(String name) {
        headers.remove(name.toLowerCase(Locale.ROOT));
        names.remove(name.toLowerCase(Locale.ROOT));
        return this;
    }

    private TestRequest copy(String path, String query) {
        TestRequest copy = new TestRequest(method, path, query);
        headers.forEach((k, v) -> copy.headers.put(k, new ArrayList<>(v)));
        copy.names.putAll(names);
        copy.virtualHostedBucket = virtualHostedBucket;
        return copy;
    }

    TestRequest virtualHosted(String bucket) {
        this.virtualHostedBucket = bucket;
        return this;
    }

    TestRequest withQuery(String query) {
        return copy(rawPath, query);
    }

    TestRequest withPath(String path) {
        return copy(path, rawQuery);
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String rawPath() {
        return rawPath;
    }

    @Override
    public String rawQuery() {
        return rawQuery;
    }

    @Override
    public List<String> headers(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public List<String> headerNames() {
        List<String> out = new ArrayList<>();
        for (String key : headers.keySet()) {
            out.add(names.getOrDefault(key, key));
        }
        return out;
    }

    @Override
    public String virtualHostedBucket() {
        return virtualHostedBucket;
    }
}
