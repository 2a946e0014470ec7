package io.loligo.rgw.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loligo.client.Cluster;
import io.loligo.client.IoContext;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The gateway's three pools, created on first start when missing (layout: docs/rgw.md):
 * {@code .rgw.meta} (users, access keys, bucket records, GC queue; one namespace each),
 * {@code .rgw.buckets.index} (one omap object per bucket index shard) and
 * {@code .rgw.buckets.data} (object data in stripes of at most 4 MiB, multipart upload records).
 */
public final class RgwPools {
    public static final String META = ".rgw.meta";
    public static final String INDEX = ".rgw.buckets.index";
    public static final String DATA = ".rgw.buckets.data";
    public static final String NS_USERS = "users";
    public static final String NS_KEYS = "keys";
    public static final String NS_BUCKETS = "buckets";
    public static final String NS_GC = "gc";

    /** Metadata records are JSON; unknown fields are ignored so older gateways read newer records. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public final Cluster cluster;
    public final IoContext users;
    public final IoContext keys;
    public final IoContext buckets;
    public final IoContext gc;
    public final IoContext index;
    public final IoContext data;

    private RgwPools(Cluster cluster) throws IOException {
        this.cluster = cluster;
        IoContext meta = cluster.ioContext(META);
        users = meta.withNamespace(NS_USERS);
        keys = meta.withNamespace(NS_KEYS);
        buckets = meta.withNamespace(NS_BUCKETS);
        gc = meta.withNamespace(NS_GC);
        index = cluster.ioContext(INDEX);
        data = cluster.ioContext(DATA);
    }

    /** Opens the pools, creating the missing ones (an existing pool is left as it is). */
    public static RgwPools open(Cluster cluster) throws IOException {
        cluster.awaitLatestMap();
        for (String pool : new String[] {META, INDEX, DATA}) {
            if (!cluster.listPools().contains(pool)) {
                cluster.createPool(pool, 0);
            }
        }
        return new RgwPools(cluster);
    }

    public static byte[] toJson(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T fromJson(byte[] bytes, Class<T> type) {
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt " + type.getSimpleName() + " record: " + e.getMessage(), e);
        }
    }
}
