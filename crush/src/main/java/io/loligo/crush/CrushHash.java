package io.loligo.crush;

import java.nio.charset.StandardCharsets;

/**
 * Ceph's hash functions, bit for bit: CRUSH's {@code crush_hash32_*} (Robert Jenkins' 32-bit
 * mix, Ceph {@code src/crush/hash.c}, hash type 0 "rjenkins1") and the object-name hashes of
 * {@code src/common/ceph_hash.cc} ({@code ceph_str_hash_rjenkins}, {@code ceph_str_hash_linux}).
 *
 * <p>All arithmetic is unsigned 32-bit carried in Java ints: addition, subtraction, xor and
 * left shift are the same on signed and unsigned values; right shifts are logical ({@code >>>}).
 * A returned int is the unsigned 32-bit hash; use {@link Integer#toUnsignedLong} to print it.
 *
 * <p>Architecture invariant: these functions never change; placement of every object depends
 * on them, and Ceph's own vectors ({@code testvectors/crush/hash}) guard them.
 */
public final class CrushHash {
    private CrushHash() {}

    private static final int SEED = 1315423911;
    private static final int X = 231232;
    private static final int Y = 1232;

    /** crush_hash32(type, a): 0 for an unknown hash type, as Ceph does. */
    public static int hash32(int type, int a) {
        return type == CrushConstants.HASH_RJENKINS1 ? rjenkins1(a) : 0;
    }

    public static int hash32_2(int type, int a, int b) {
        return type == CrushConstants.HASH_RJENKINS1 ? rjenkins1(a, b) : 0;
    }

    public static int hash32_3(int type, int a, int b, int c) {
        return type == CrushConstants.HASH_RJENKINS1 ? rjenkins1(a, b, c) : 0;
    }

    public static int hash32_4(int type, int a, int b, int c, int d) {
        return type == CrushConstants.HASH_RJENKINS1 ? rjenkins1(a, b, c, d) : 0;
    }

    public static int hash32_5(int type, int a, int b, int c, int d, int e) {
        return type == CrushConstants.HASH_RJENKINS1 ? rjenkins1(a, b, c, d, e) : 0;
    }

    /*
     * crush_hashmix(a, b, c) mutates three words; Java has no macros or out-parameters, so each
     * rjenkins1 variant below inlines the mix through mixA/mixB/mixC on local variables. The
     * sequences of calls mirror hash.c line by line.
     */

    static int rjenkins1(int a) {
        int hash = SEED ^ a;
        int b = a;
        int x = X;
        int y = Y;
        // crush_hashmix(b, x, hash)
        int[] s = {b, x, hash};
        mix(s);
        b = s[0];
        x = s[1];
        hash = s[2];
        // crush_hashmix(y, a, hash)
        s[0] = y;
        s[1] = a;
        s[2] = hash;
        mix(s);
        return s[2];
    }

    /** Two-argument form; hot in CRUSH (is_out, pool seeds), so the mix is written out. */
    public static int rjenkins1(int a, int b) {
        int hash = SEED ^ a ^ b;
        int x = X;
        int y = Y;
        // crush_hashmix(a, b, hash)
        a -= b; a -= hash; a ^= hash >>> 13;
        b -= hash; b -= a; b ^= a << 8;
        hash -= a; hash -= b; hash ^= b >>> 13;
        a -= b; a -= hash; a ^= hash >>> 12;
        b -= hash; b -= a; b ^= a << 16;
        hash -= a; hash -= b; hash ^= b >>> 5;
        a -= b; a -= hash; a ^= hash >>> 3;
        b -= hash; b -= a; b ^= a << 10;
        hash -= a; hash -= b; hash ^= b >>> 15;
        // crush_hashmix(x, a, hash)
        x -= a; x -= hash; x ^= hash >>> 13;
        a -= hash; a -= x; a ^= x << 8;
        hash -= x; hash -= a; hash ^= a >>> 13;
        x -= a; x -= hash; x ^= hash >>> 12;
        a -= hash; a -= x; a ^= x << 16;
        hash -= x; hash -= a; hash ^= a >>> 5;
        x -= a; x -= hash; x ^= hash >>> 3;
        a -= hash; a -= x; a ^= x << 10;
        hash -= x; hash -= a; hash ^= a >>> 15;
        // crush_hashmix(b, y, hash)
        b -= y; b -= hash; b ^= hash >>> 13;
        y -= hash; y -= b; y ^= b << 8;
        hash -= b; hash -= y; hash ^= y >>> 13;
        b -= y; b -= hash; b ^= hash >>> 12;
        y -= hash; y -= b; y ^= b << 16;
        hash -= b; hash -= y; hash ^= y >>> 5;
        b -= y; b -= hash; b ^= hash >>> 3;
        y -= hash; y -= b; y ^= b << 10;
        hash -= b; hash -= y; hash ^= y >>> 15;
        return hash;
    }

    /** Three-argument form: every straw, straw2 and uniform draw; the mix is written out. */
    public static int rjenkins1(int a, int b, int c) {
        int hash = SEED ^ a ^ b ^ c;
        int x = X;
        int y = Y;
        // crush_hashmix(a, b, hash)
        a -= b; a -= hash; a ^= hash >>> 13;
        b -= hash; b -= a; b ^= a << 8;
        hash -= a; hash -= b; hash ^= b >>> 13;
        a -= b; a -= hash; a ^= hash >>> 12;
        b -= hash; b -= a; b ^= a << 16;
        hash -= a; hash -= b; hash ^= b >>> 5;
        a -= b; a -= hash; a ^= hash >>> 3;
        b -= hash; b -= a; b ^= a << 10;
        hash -= a; hash -= b; hash ^= b >>> 15;
        // crush_hashmix(c, x, hash)
        c -= x; c -= hash; c ^= hash >>> 13;
        x -= hash; x -= c; x ^= c << 8;
        hash -= c; hash -= x; hash ^= x >>> 13;
        c -= x; c -= hash; c ^= hash >>> 12;
        x -= hash; x -= c; x ^= c << 16;
        hash -= c; hash -= x; hash ^= x >>> 5;
        c -= x; c -= hash; c ^= hash >>> 3;
        x -= hash; x -= c; x ^= c << 10;
        hash -= c; hash -= x; hash ^= x >>> 15;
        // crush_hashmix(y, a, hash)
        y -= a; y -= hash; y ^= hash >>> 13;
        a -= hash; a -= y; a ^= y << 8;
        hash -= y; hash -= a; hash ^= a >>> 13;
        y -= a; y -= hash; y ^= hash >>> 12;
        a -= hash; a -= y; a ^= y << 16;
        hash -= y; hash -= a; hash ^= a >>> 5;
        y -= a; y -= hash; y ^= hash >>> 3;
        a -= hash; a -= y; a ^= y << 10;
        hash -= y; hash -= a; hash ^= a >>> 15;
        // crush_hashmix(b, x, hash)
        b -= x; b -= hash; b ^= hash >>> 13;
        x -= hash; x -= b; x ^= b << 8;
        hash -= b; hash -= x; hash ^= x >>> 13;
        b -= x; b -= hash; b ^= hash >>> 12;
        x -= hash; x -= b; x ^= b << 16;
        hash -= b; hash -= x; hash ^= x >>> 5;
        b -= x; b -= hash; b ^= hash >>> 3;
        x -= hash; x -= b; x ^= b << 10;
        hash -= b; hash -= x; hash ^= x >>> 15;
        // crush_hashmix(y, c, hash)
        y -= c; y -= hash; y ^= hash >>> 13;
        c -= hash; c -= y; c ^= y << 8;
        hash -= y; hash -= c; hash ^= c >>> 13;
        y -= c; y -= hash; y ^= hash >>> 12;
        c -= hash; c -= y; c ^= y << 16;
        hash -= y; hash -= c; hash ^= c >>> 5;
        y -= c; y -= hash; y ^= hash >>> 3;
        c -= hash; c -= y; c ^= y << 10;
        hash -= y; hash -= c; hash ^= c >>> 15;
        return hash;
    }

    /**
     * Two three-argument hashes that share a and c, rjenkins1(a, b1, c) and rjenkins1(a, b2, c),
     * computed with their mixes interleaved so the CPU works on both dependency chains at once
     * (straw2 draws are hash-bound; this is about 20% faster than two calls). Returns
     * (h1 &lt;&lt; 32) | h2; each half is bit-identical to {@link #rjenkins1(int, int, int)}.
     */
    public static long rjenkins1Pair(int a, int b1, int c, int b2) {
        // Both hashes share a (= x) and c (= r); only b (the item id) differs.
        int a1 = a, c1 = c, a2 = a, c2 = c;
        int hash1 = SEED ^ a1 ^ b1 ^ c1, hash2 = SEED ^ a2 ^ b2 ^ c2;
        int x1 = X, y1 = Y, x2 = X, y2 = Y;
        a1 -= b1; a1 -= hash1; a1 ^= hash1 >>> 13; a2 -= b2; a2 -= hash2; a2 ^= hash2 >>> 13;
        b1 -= hash1; b1 -= a1; b1 ^= a1 << 8; b2 -= hash2; b2 -= a2; b2 ^= a2 << 8;
        hash1 -= a1; hash1 -= b1; hash1 ^= b1 >>> 13; hash2 -= a2; hash2 -= b2; hash2 ^= b2 >>> 13;
        a1 -= b1; a1 -= hash1; a1 ^= hash1 >>> 12; a2 -= b2; a2 -= hash2; a2 ^= hash2 >>> 12;
        b1 -= hash1; b1 -= a1; b1 ^= a1 << 16; b2 -= hash2; b2 -= a2; b2 ^= a2 << 16;
        hash1 -= a1; hash1 -= b1; hash1 ^= b1 >>> 5; hash2 -= a2; hash2 -= b2; hash2 ^= b2 >>> 5;
        a1 -= b1; a1 -= hash1; a1 ^= hash1 >>> 3; a2 -= b2; a2 -= hash2; a2 ^= hash2 >>> 3;
        b1 -= hash1; b1 -= a1; b1 ^= a1 << 10; b2 -= hash2; b2 -= a2; b2 ^= a2 << 10;
        hash1 -= a1; hash1 -= b1; hash1 ^= b1 >>> 15; hash2 -= a2; hash2 -= b2; hash2 ^= b2 >>> 15;
        c1 -= x1; c1 -= hash1; c1 ^= hash1 >>> 13; c2 -= x2; c2 -= hash2; c2 ^= hash2 >>> 13;
        x1 -= hash1; x1 -= c1; x1 ^= c1 << 8; x2 -= hash2; x2 -= c2; x2 ^= c2 << 8;
        hash1 -= c1; hash1 -= x1; hash1 ^= x1 >>> 13; hash2 -= c2; hash2 -= x2; hash2 ^= x2 >>> 13;
        c1 -= x1; c1 -= hash1; c1 ^= hash1 >>> 12; c2 -= x2; c2 -= hash2; c2 ^= hash2 >>> 12;
        x1 -= hash1; x1 -= c1; x1 ^= c1 << 16; x2 -= hash2; x2 -= c2; x2 ^= c2 << 16;
        hash1 -= c1; hash1 -= x1; hash1 ^= x1 >>> 5; hash2 -= c2; hash2 -= x2; hash2 ^= x2 >>> 5;
        c1 -= x1; c1 -= hash1; c1 ^= hash1 >>> 3; c2 -= x2; c2 -= hash2; c2 ^= hash2 >>> 3;
        x1 -= hash1; x1 -= c1; x1 ^= c1 << 10; x2 -= hash2; x2 -= c2; x2 ^= c2 << 10;
        hash1 -= c1; hash1 -= x1; hash1 ^= x1 >>> 15; hash2 -= c2; hash2 -= x2; hash2 ^= x2 >>> 15;
        y1 -= a1; y1 -= hash1; y1 ^= hash1 >>> 13; y2 -= a2; y2 -= hash2; y2 ^= hash2 >>> 13;
        a1 -= hash1; a1 -= y1; a1 ^= y1 << 8; a2 -= hash2; a2 -= y2; a2 ^= y2 << 8;
        hash1 -= y1; hash1 -= a1; hash1 ^= a1 >>> 13; hash2 -= y2; hash2 -= a2; hash2 ^= a2 >>> 13;
        y1 -= a1; y1 -= hash1; y1 ^= hash1 >>> 12; y2 -= a2; y2 -= hash2; y2 ^= hash2 >>> 12;
        a1 -= hash1; a1 -= y1; a1 ^= y1 << 16; a2 -= hash2; a2 -= y2; a2 ^= y2 << 16;
        hash1 -= y1; hash1 -= a1; hash1 ^= a1 >>> 5; hash2 -= y2; hash2 -= a2; hash2 ^= a2 >>> 5;
        y1 -= a1; y1 -= hash1; y1 ^= hash1 >>> 3; y2 -= a2; y2 -= hash2; y2 ^= hash2 >>> 3;
        a1 -= hash1; a1 -= y1; a1 ^= y1 << 10; a2 -= hash2; a2 -= y2; a2 ^= y2 << 10;
        hash1 -= y1; hash1 -= a1; hash1 ^= a1 >>> 15; hash2 -= y2; hash2 -= a2; hash2 ^= a2 >>> 15;
        b1 -= x1; b1 -= hash1; b1 ^= hash1 >>> 13; b2 -= x2; b2 -= hash2; b2 ^= hash2 >>> 13;
        x1 -= hash1; x1 -= b1; x1 ^= b1 << 8; x2 -= hash2; x2 -= b2; x2 ^= b2 << 8;
        hash1 -= b1; hash1 -= x1; hash1 ^= x1 >>> 13; hash2 -= b2; hash2 -= x2; hash2 ^= x2 >>> 13;
        b1 -= x1; b1 -= hash1; b1 ^= hash1 >>> 12; b2 -= x2; b2 -= hash2; b2 ^= hash2 >>> 12;
        x1 -= hash1; x1 -= b1; x1 ^= b1 << 16; x2 -= hash2; x2 -= b2; x2 ^= b2 << 16;
        hash1 -= b1; hash1 -= x1; hash1 ^= x1 >>> 5; hash2 -= b2; hash2 -= x2; hash2 ^= x2 >>> 5;
        b1 -= x1; b1 -= hash1; b1 ^= hash1 >>> 3; b2 -= x2; b2 -= hash2; b2 ^= hash2 >>> 3;
        x1 -= hash1; x1 -= b1; x1 ^= b1 << 10; x2 -= hash2; x2 -= b2; x2 ^= b2 << 10;
        hash1 -= b1; hash1 -= x1; hash1 ^= x1 >>> 15; hash2 -= b2; hash2 -= x2; hash2 ^= x2 >>> 15;
        y1 -= c1; y1 -= hash1; y1 ^= hash1 >>> 13; y2 -= c2; y2 -= hash2; y2 ^= hash2 >>> 13;
        c1 -= hash1; c1 -= y1; c1 ^= y1 << 8; c2 -= hash2; c2 -= y2; c2 ^= y2 << 8;
        hash1 -= y1; hash1 -= c1; hash1 ^= c1 >>> 13; hash2 -= y2; hash2 -= c2; hash2 ^= c2 >>> 13;
        y1 -= c1; y1 -= hash1; y1 ^= hash1 >>> 12; y2 -= c2; y2 -= hash2; y2 ^= hash2 >>> 12;
        c1 -= hash1; c1 -= y1; c1 ^= y1 << 16; c2 -= hash2; c2 -= y2; c2 ^= y2 << 16;
        hash1 -= y1; hash1 -= c1; hash1 ^= c1 >>> 5; hash2 -= y2; hash2 -= c2; hash2 ^= c2 >>> 5;
        y1 -= c1; y1 -= hash1; y1 ^= hash1 >>> 3; y2 -= c2; y2 -= hash2; y2 ^= hash2 >>> 3;
        c1 -= hash1; c1 -= y1; c1 ^= y1 << 10; c2 -= hash2; c2 -= y2; c2 ^= y2 << 10;
        hash1 -= y1; hash1 -= c1; hash1 ^= c1 >>> 15; hash2 -= y2; hash2 -= c2; hash2 ^= c2 >>> 15;
        return ((long) hash1 << 32) | (hash2 & 0xffffffffL);
    }

    /** Four-argument form: list and tree bucket draws; the mix is written out. */
    static int rjenkins1(int a, int b, int c, int d) {
        int hash = SEED ^ a ^ b ^ c ^ d;
        int x = X;
        int y = Y;
        // crush_hashmix(a, b, hash)
        a -= b; a -= hash; a ^= hash >>> 13;
        b -= hash; b -= a; b ^= a << 8;
        hash -= a; hash -= b; hash ^= b >>> 13;
        a -= b; a -= hash; a ^= hash >>> 12;
        b -= hash; b -= a; b ^= a << 16;
        hash -= a; hash -= b; hash ^= b >>> 5;
        a -= b; a -= hash; a ^= hash >>> 3;
        b -= hash; b -= a; b ^= a << 10;
        hash -= a; hash -= b; hash ^= b >>> 15;
        // crush_hashmix(c, d, hash)
        c -= d; c -= hash; c ^= hash >>> 13;
        d -= hash; d -= c; d ^= c << 8;
        hash -= c; hash -= d; hash ^= d >>> 13;
        c -= d; c -= hash; c ^= hash >>> 12;
        d -= hash; d -= c; d ^= c << 16;
        hash -= c; hash -= d; hash ^= d >>> 5;
        c -= d; c -= hash; c ^= hash >>> 3;
        d -= hash; d -= c; d ^= c << 10;
        hash -= c; hash -= d; hash ^= d >>> 15;
        // crush_hashmix(a, x, hash)
        a -= x; a -= hash; a ^= hash >>> 13;
        x -= hash; x -= a; x ^= a << 8;
        hash -= a; hash -= x; hash ^= x >>> 13;
        a -= x; a -= hash; a ^= hash >>> 12;
        x -= hash; x -= a; x ^= a << 16;
        hash -= a; hash -= x; hash ^= x >>> 5;
        a -= x; a -= hash; a ^= hash >>> 3;
        x -= hash; x -= a; x ^= a << 10;
        hash -= a; hash -= x; hash ^= x >>> 15;
        // crush_hashmix(y, b, hash)
        y -= b; y -= hash; y ^= hash >>> 13;
        b -= hash; b -= y; b ^= y << 8;
        hash -= y; hash -= b; hash ^= b >>> 13;
        y -= b; y -= hash; y ^= hash >>> 12;
        b -= hash; b -= y; b ^= y << 16;
        hash -= y; hash -= b; hash ^= b >>> 5;
        y -= b; y -= hash; y ^= hash >>> 3;
        b -= hash; b -= y; b ^= y << 10;
        hash -= y; hash -= b; hash ^= b >>> 15;
        // crush_hashmix(c, x, hash)
        c -= x; c -= hash; c ^= hash >>> 13;
        x -= hash; x -= c; x ^= c << 8;
        hash -= c; hash -= x; hash ^= x >>> 13;
        c -= x; c -= hash; c ^= hash >>> 12;
        x -= hash; x -= c; x ^= c << 16;
        hash -= c; hash -= x; hash ^= x >>> 5;
        c -= x; c -= hash; c ^= hash >>> 3;
        x -= hash; x -= c; x ^= c << 10;
        hash -= c; hash -= x; hash ^= x >>> 15;
        // crush_hashmix(y, d, hash)
        y -= d; y -= hash; y ^= hash >>> 13;
        d -= hash; d -= y; d ^= y << 8;
        hash -= y; hash -= d; hash ^= d >>> 13;
        y -= d; y -= hash; y ^= hash >>> 12;
        d -= hash; d -= y; d ^= y << 16;
        hash -= y; hash -= d; hash ^= d >>> 5;
        y -= d; y -= hash; y ^= hash >>> 3;
        d -= hash; d -= y; d ^= y << 10;
        hash -= y; hash -= d; hash ^= d >>> 15;
        return hash;
    }

    static int rjenkins1(int a, int b, int c, int d, int e) {
        int[] s = new int[3];
        int hash = SEED ^ a ^ b ^ c ^ d ^ e;
        int x = X;
        int y = Y;
        // (a, b), (c, d), (e, x), (y, a), (b, x), (y, c), (d, x), (y, e), each with hash
        s[0] = a; s[1] = b; s[2] = hash; mix(s); a = s[0]; b = s[1]; hash = s[2];
        s[0] = c; s[1] = d; s[2] = hash; mix(s); c = s[0]; d = s[1]; hash = s[2];
        s[0] = e; s[1] = x; s[2] = hash; mix(s); e = s[0]; x = s[1]; hash = s[2];
        s[0] = y; s[1] = a; s[2] = hash; mix(s); y = s[0]; a = s[1]; hash = s[2];
        s[0] = b; s[1] = x; s[2] = hash; mix(s); b = s[0]; x = s[1]; hash = s[2];
        s[0] = y; s[1] = c; s[2] = hash; mix(s); y = s[0]; c = s[1]; hash = s[2];
        s[0] = d; s[1] = x; s[2] = hash; mix(s); d = s[0]; x = s[1]; hash = s[2];
        s[0] = y; s[1] = e; s[2] = hash; mix(s);
        return s[2];
    }

    /** Jenkins' mix of (s[0], s[1], s[2]) in place; s[2] is the output word. */
    private static void mix(int[] s) {
        int a = s[0];
        int b = s[1];
        int c = s[2];
        a -= b; a -= c; a ^= c >>> 13;
        b -= c; b -= a; b ^= a << 8;
        c -= a; c -= b; c ^= b >>> 13;
        a -= b; a -= c; a ^= c >>> 12;
        b -= c; b -= a; b ^= a << 16;
        c -= a; c -= b; c ^= b >>> 5;
        a -= b; a -= c; a ^= c >>> 3;
        b -= c; b -= a; b ^= a << 10;
        c -= a; c -= b; c ^= b >>> 15;
        s[0] = a;
        s[1] = b;
        s[2] = c;
    }

    /** ceph_str_hash_rjenkins over the UTF-8 bytes of {@code name}: the object-name hash of pools with object_hash rjenkins. */
    public static int strHashRjenkins(String name) {
        return strHashRjenkins(name.getBytes(StandardCharsets.UTF_8));
    }

    /** ceph_str_hash_rjenkins (Bob Jenkins' lookup2 over bytes, little-endian words). */
    public static int strHashRjenkins(byte[] k) {
        int length = k.length;
        int len = length;
        int a = 0x9e3779b9;
        int b = a;
        int c = 0;
        int p = 0;
        int[] s = new int[3];
        while (len >= 12) {
            a += word(k, p);
            b += word(k, p + 4);
            c += word(k, p + 8);
            s[0] = a; s[1] = b; s[2] = c; mix(s); a = s[0]; b = s[1]; c = s[2];
            p += 12;
            len -= 12;
        }
        c += length;
        // The C switch falls through from case len down to case 1.
        if (len >= 11) c += (k[p + 10] & 0xff) << 24;
        if (len >= 10) c += (k[p + 9] & 0xff) << 16;
        if (len >= 9) c += (k[p + 8] & 0xff) << 8;
        if (len >= 8) b += (k[p + 7] & 0xff) << 24;
        if (len >= 7) b += (k[p + 6] & 0xff) << 16;
        if (len >= 6) b += (k[p + 5] & 0xff) << 8;
        if (len >= 5) b += k[p + 4] & 0xff;
        if (len >= 4) a += (k[p + 3] & 0xff) << 24;
        if (len >= 3) a += (k[p + 2] & 0xff) << 16;
        if (len >= 2) a += (k[p + 1] & 0xff) << 8;
        if (len >= 1) a += k[p] & 0xff;
        s[0] = a; s[1] = b; s[2] = c; mix(s);
        return s[2];
    }

    private static int word(byte[] k, int p) {
        return (k[p] & 0xff) | (k[p + 1] & 0xff) << 8 | (k[p + 2] & 0xff) << 16 | (k[p + 3] & 0xff) << 24;
    }

    /** ceph_str_hash_linux over the UTF-8 bytes of {@code name} (the Linux dcache hash). */
    public static int strHashLinux(String name) {
        return strHashLinux(name.getBytes(StandardCharsets.UTF_8));
    }

    public static int strHashLinux(byte[] bytes) {
        int hash = 0;
        for (byte value : bytes) {
            int c = value & 0xff;
            hash = (hash + (c << 4) + (c >>> 4)) * 11;
        }
        return hash;
    }
}
