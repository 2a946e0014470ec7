package io.loligo.crush;

/** Numeric constants shared with Ceph's crush.h; they appear in compiled maps and must never change. */
public final class CrushConstants {
    private CrushConstants() {}

    // Bucket algorithms (crush_algorithm).
    public static final int BUCKET_UNIFORM = 1;
    public static final int BUCKET_LIST = 2;
    public static final int BUCKET_TREE = 3;
    public static final int BUCKET_STRAW = 4;
    public static final int BUCKET_STRAW2 = 5;

    /** Hash function id 0: Robert Jenkins' mix, the only one Ceph defines. */
    public static final int HASH_RJENKINS1 = 0;

    /** An unfilled position in an indep result; crushtool prints it as 2147483647. */
    public static final int ITEM_NONE = 0x7fffffff;
    /** An undefined position during indep selection (never returned). */
    public static final int ITEM_UNDEF = 0x7ffffffe;

    /** A device weight of 1.0 in 16.16 fixed point: fully in. */
    public static final int WEIGHT_ONE = 0x10000;

    // Rule step opcodes (crush_opcodes).
    public static final int RULE_NOOP = 0;
    public static final int RULE_TAKE = 1;
    public static final int RULE_CHOOSE_FIRSTN = 2;
    public static final int RULE_CHOOSE_INDEP = 3;
    public static final int RULE_EMIT = 4;
    public static final int RULE_CHOOSELEAF_FIRSTN = 6;
    public static final int RULE_CHOOSELEAF_INDEP = 7;
    public static final int RULE_SET_CHOOSE_TRIES = 8;
    public static final int RULE_SET_CHOOSELEAF_TRIES = 9;
    public static final int RULE_SET_CHOOSE_LOCAL_TRIES = 10;
    public static final int RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES = 11;
    public static final int RULE_SET_CHOOSELEAF_VARY_R = 12;
    public static final int RULE_SET_CHOOSELEAF_STABLE = 13;

    // Rule types (pg_pool_t / crush rule type).
    public static final int RULE_TYPE_REPLICATED = 1;
    public static final int RULE_TYPE_ERASURE = 3;

    /** Algorithm name as the text format writes it ("uniform", "list", "tree", "straw", "straw2"). */
    public static String bucketAlgName(int alg) {
        return switch (alg) {
            case BUCKET_UNIFORM -> "uniform";
            case BUCKET_LIST -> "list";
            case BUCKET_TREE -> "tree";
            case BUCKET_STRAW -> "straw";
            case BUCKET_STRAW2 -> "straw2";
            default -> throw new IllegalArgumentException("unknown bucket alg " + alg);
        };
    }
}
