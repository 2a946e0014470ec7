package io.loligo.crush;

/**
 * CRUSH tunables (crush_map fields). Mutable: a map is built or parsed, then handed to a mapper.
 * {@link #legacy()} gives argonaut's values, the defaults when a text map has no tunable lines.
 */
public final class Tunables {
    public int chooseLocalTries;
    public int chooseLocalFallbackTries;
    public int chooseTotalTries;
    public int chooseleafDescendOnce;
    public int chooseleafVaryR;
    public int chooseleafStable;
    public int strawCalcVersion;
    public int allowedBucketAlgs;

    /** Argonaut (legacy) tunables: 2, 5, 19, 0, 0, 0, 0, 22. */
    public static Tunables legacy() {
        Tunables t = new Tunables();
        t.chooseLocalTries = 2;
        t.chooseLocalFallbackTries = 5;
        t.chooseTotalTries = 19;
        t.chooseleafDescendOnce = 0;
        t.chooseleafVaryR = 0;
        t.chooseleafStable = 0;
        t.strawCalcVersion = 0;
        t.allowedBucketAlgs = (1 << CrushConstants.BUCKET_UNIFORM) | (1 << CrushConstants.BUCKET_LIST)
                | (1 << CrushConstants.BUCKET_STRAW);
        return t;
    }

    /** Jewel (optimal) tunables: 0, 0, 50, 1, 1, 1, 1, 54. */
    public static Tunables jewel() {
        Tunables t = new Tunables();
        t.chooseLocalTries = 0;
        t.chooseLocalFallbackTries = 0;
        t.chooseTotalTries = 50;
        t.chooseleafDescendOnce = 1;
        t.chooseleafVaryR = 1;
        t.chooseleafStable = 1;
        t.strawCalcVersion = 1;
        t.allowedBucketAlgs = (1 << CrushConstants.BUCKET_UNIFORM) | (1 << CrushConstants.BUCKET_LIST)
                | (1 << CrushConstants.BUCKET_STRAW) | (1 << CrushConstants.BUCKET_STRAW2);
        return t;
    }

    public Tunables copy() {
        Tunables t = new Tunables();
        t.chooseLocalTries = chooseLocalTries;
        t.chooseLocalFallbackTries = chooseLocalFallbackTries;
        t.chooseTotalTries = chooseTotalTries;
        t.chooseleafDescendOnce = chooseleafDescendOnce;
        t.chooseleafVaryR = chooseleafVaryR;
        t.chooseleafStable = chooseleafStable;
        t.strawCalcVersion = strawCalcVersion;
        t.allowedBucketAlgs = allowedBucketAlgs;
        return t;
    }
}
