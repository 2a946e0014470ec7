package io.loligo.rgw.auth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/** Requests signed in-process by the real AWS SDK v2 signer (no server), turned into {@link TestRequest}s. */
final class SdkSignedRequests {
    /** A signed head and the body bytes as the SDK would send them (aws-chunked framing included). */
    record Signed(TestRequest head, byte[] body) {}

    private SdkSignedRequests() {}

    static SdkHttpRequest.Builder request(SdkHttpMethod method, String bucket, String key) {
        String path = "/" + bucket + (key == null ? "" : "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
        return SdkHttpRequest.builder().method(method).uri(URI.create("https://127.0.0.1:7480"))
                .encodedPath(path).putHeader("Host", "127.0.0.1:7480");
    }

    static Signed sign(SdkHttpRequest.Builder request, byte[] body, String accessKey, String secret, String region,
            Clock clock, Consumer<SignRequest.Builder<AwsCredentialsIdentity>> options) {
        if (body != null) {
            request.putHeader("Content-Length", Integer.toString(body.length));
        }
        SdkHttpRequest built = request.build();
        var signed = AwsV4HttpSigner.create().sign(r -> {
            r.identity(AwsCredentialsIdentity.create(accessKey, secret)).request(built)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                    .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                    .putProperty(HttpSigner.SIGNING_CLOCK, clock);
            if (body != null) {
                r.payload(ContentStreamProvider.fromByteArray(body));
            }
            options.accept(r);
        });
        SdkHttpRequest out = signed.request();
        URI uri = out.getUri();
        if (System.getenv("LOLIGO_DEBUG_SIGN") != null) {
            System.err.println(uri + " " + out.headers());
        }
        TestRequest head = new TestRequest(out.method().name(), uri.getRawPath(), uri.getRawQuery());
        for (Map.Entry<String, List<String>> h : out.headers().entrySet()) {
            for (String v : h.getValue()) {
                head.header(h.getKey(), v);
            }
        }
        byte[] wire = signed.payload().map(p -> {
            try (InputStream in = p.newStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).orElse(new byte[0]);
        return new Signed(head, wire);
    }
}
