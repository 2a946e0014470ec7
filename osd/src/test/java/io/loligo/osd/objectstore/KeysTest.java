package io.loligo.osd.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The object key format (Keys' on-disk description: objkey = pool:u64f rhash:u32 esc(namespace)
 * 0x00 esc(name) 0x00) against a byte-at-a-time reference written from that description: the
 * same bytes for random ids (with 0x00 and 0x01 in names, multi-byte UTF-8, negative pools), and
 * 'O' keys decode back to their ids. Stores made before the keys were built in place must read.
 */
class KeysTest {
    @Test
    void objectKeysFollowTheDocumentedFormatAndRoundTrip() {
        SplittableRandom r = new SplittableRandom(5);
        String alphabet = "ab\u0000\u0001z\u00e9\u4e2d/_.";
        for (int i = 0; i < 2000; i++) {
            ObjectId oid = new ObjectId(r.nextInt(3) == 0 ? -r.nextLong(1L << 40) : r.nextLong(1L << 40),
                    random(r, alphabet, r.nextInt(4)), random(r, alphabet, 1 + r.nextInt(40)), r.nextInt());
            assertThat(Keys.onode(oid)).as("%s", oid).isEqualTo(reference(Keys.ONODE, oid));
            assertThat(Keys.shardPrefix(oid)).isEqualTo(reference(Keys.SHARD, oid));
            assertThat(Keys.omapPrefix(oid)).isEqualTo(reference(Keys.OMAP, oid));
            byte[] shard = Keys.shard(oid, 7);
            assertThat(Arrays.copyOf(shard, shard.length - 4)).isEqualTo(reference(Keys.SHARD, oid));
            assertThat(Keys.objectIdOf(Keys.onode(oid))).isEqualTo(oid);
        }
    }

    private static String random(SplittableRandom r, String alphabet, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static byte[] reference(byte prefix, ObjectId oid) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(prefix);
        long pool = oid.pool() ^ Long.MIN_VALUE;
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (pool >>> shift));
        }
        int rhash = Integer.reverse(oid.hash());
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.write(rhash >>> shift);
        }
        for (String part : new String[] {oid.namespace(), oid.name()}) {
            for (byte x : part.getBytes(StandardCharsets.UTF_8)) {
                if (x == 0 || x == 1) {
                    out.write(1);
                    out.write(x + 1);
                } else {
                    out.write(x);
                }
            }
            out.write(0);
        }
        return out.toByteArray();
    }
}
