package io.loligo.rgw;

import io.loligo.rgw.store.UserInfo;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One real cluster (monitor + OSD processes) and gateway per test class, with two users and an
 * AWS SDK v2 client for each; garbage collection runs every 200 ms so tests can wait for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class S3ClusterTest {
    RgwTestCluster c;
    UserInfo alice;
    UserInfo bob;
    S3Client s3;
    S3Client s3bob;

    /** Bucket index shards: each class uses a different count so listings merge shards differently. */
    abstract int indexShards();

    /** A class may change the gateway's settings (the port is always an ephemeral one). */
    RgwConfig configure(RgwConfig config) {
        return config;
    }

    @BeforeAll
    void start() throws Exception {
        c = new RgwTestCluster();
        try {
            c.start(configure(RgwConfig.defaults().withIndexShards(indexShards()).withGc(Duration.ZERO, Duration.ofMillis(200))));
        } catch (Throwable t) {
            c.close();
            throw t;
        }
        alice = c.user("alice", "Alice A.");
        bob = c.user("bob", "Bob B.");
        s3 = c.client(alice);
        s3bob = c.client(bob);
    }

    @AfterAll
    void stop() throws Exception {
        if (c != null) {
            c.close();
        }
    }
}
