package io.loligo.crush;

/**
 * Executes one rule for one input: crush_do_rule, crush_choose_firstn and crush_choose_indep of
 * Ceph's {@code src/crush/mapper.c}, ported branch for branch. One runner belongs to one
 * {@link CrushMapper.Workspace} and so to one thread; its fields hold the per-call inputs so the
 * recursive choose functions do not carry them as parameters, and nothing is allocated per call.
 *
 * <p>C passes pointers into the scratch vectors ({@code o+osize}, {@code c+osize}); here each
 * vector is an array plus a base offset. C's {@code goto reject} becomes a flag.
 */
final class RuleRunner {
    private static final int NONE = CrushConstants.ITEM_NONE;
    private static final int UNDEF = CrushConstants.ITEM_UNDEF;

    private final CrushMapper m;
    private final CrushMapper.Workspace ws;

    // Inputs and state of the current call: crush_do_rule's locals.
    private int x;
    private int[] weight;
    private ChooseArgs args;
    private int[] w;
    private int[] o;
    private int wsize;
    private int chooseTries;
    private int chooseLeafTries;
    private int localRetries;
    private int localFallbackRetries;
    private int varyR;
    private int stable;

    RuleRunner(CrushMapper mapper, CrushMapper.Workspace ws) {
        this.m = mapper;
        this.ws = ws;
    }

    /** crush_do_rule's step loop. */
    int run(int[] steps, int x, int[] result, int resultMax, int[] weight, ChooseArgs args) {
        this.x = x;
        this.weight = weight;
        this.args = args;
        w = ws.a;
        o = ws.b;
        wsize = 0;
        int resultLen = 0;
        // The original choose_total_tries counted retries, not tries: add one.
        chooseTries = m.chooseTotalTries + 1;
        chooseLeafTries = 0;
        // The local tries were counted as retries, though, and need no adjustment.
        localRetries = m.chooseLocalTries;
        localFallbackRetries = m.chooseLocalFallbackTries;
        varyR = m.chooseleafVaryR;
        stable = m.chooseleafStable;
        for (int s = 0; s < steps.length; s += 3) {
            int op = steps[s];
            int arg1 = steps[s + 1];
            switch (op) {
                case CrushConstants.RULE_TAKE -> {
                    if ((arg1 >= 0 && arg1 < m.maxDevices)
                            || (-1 - arg1 >= 0 && -1 - arg1 < m.maxBuckets && m.exists[-1 - arg1])) {
                        w[0] = arg1;
                        wsize = 1;
                    }
                }
                case CrushConstants.RULE_CHOOSE_FIRSTN, CrushConstants.RULE_CHOOSELEAF_FIRSTN,
                        CrushConstants.RULE_CHOOSE_INDEP, CrushConstants.RULE_CHOOSELEAF_INDEP -> {
                    if (wsize != 0) {
                        chooseStep(op, arg1, steps[s + 2], resultMax);
                    }
                }
                case CrushConstants.RULE_EMIT -> {
                    for (int i = 0; i < wsize && resultLen < resultMax; i++) {
                        result[resultLen] = w[i];
                        resultLen++;
                    }
                    wsize = 0;
                }
                default -> setStep(op, arg1);
            }
        }
        return resultLen;
    }

    /** The rule-level tunable steps (set_*); unknown opcodes are ignored, as in Ceph. */
    private void setStep(int op, int arg1) {
        switch (op) {
            case CrushConstants.RULE_SET_CHOOSE_TRIES -> {
                if (arg1 > 0) {
                    chooseTries = arg1;
                }
            }
            case CrushConstants.RULE_SET_CHOOSELEAF_TRIES -> {
                if (arg1 > 0) {
                    chooseLeafTries = arg1;
                }
            }
            case CrushConstants.RULE_SET_CHOOSE_LOCAL_TRIES -> {
                if (arg1 >= 0) {
                    localRetries = arg1;
                }
            }
            case CrushConstants.RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES -> {
                if (arg1 >= 0) {
                    localFallbackRetries = arg1;
                }
            }
            case CrushConstants.RULE_SET_CHOOSELEAF_VARY_R -> {
                if (arg1 >= 0) {
                    varyR = arg1;
                }
            }
            case CrushConstants.RULE_SET_CHOOSELEAF_STABLE -> {
                if (arg1 >= 0) {
                    stable = arg1;
                }
            }
            default -> { }
        }
    }

    /** A choose/chooseleaf step: for each working item, choose into o (leaves into c), then swap w and o. */
    private void chooseStep(int op, int arg1, int type, int resultMax) {
        int[] c = ws.c;
        boolean firstn = op == CrushConstants.RULE_CHOOSE_FIRSTN || op == CrushConstants.RULE_CHOOSELEAF_FIRSTN;
        boolean recurseToLeaf = op == CrushConstants.RULE_CHOOSELEAF_FIRSTN
                || op == CrushConstants.RULE_CHOOSELEAF_INDEP;
        int osize = 0;
        for (int i = 0; i < wsize; i++) {
            // numrep <= 0 means relative to result_max (CRUSH_N_MINUS).
            int numrep = arg1;
            if (numrep <= 0) {
                numrep += resultMax;
                if (numrep <= 0) {
                    continue;
                }
            }
            int bno = -1 - w[i];
            // w[i] is probably ITEM_NONE; a missing bucket would crash Ceph.
            if (bno < 0 || bno >= m.maxBuckets || !m.exists[bno]) {
                continue;
            }
            if (firstn) {
                int recurseTries;
                if (chooseLeafTries != 0) {
                    recurseTries = chooseLeafTries;
                } else if (m.chooseleafDescendOnce != 0) {
                    recurseTries = 1;
                } else {
                    recurseTries = chooseTries;
                }
                osize += chooseFirstn(bno, numrep, type, o, osize, 0, resultMax - osize, chooseTries,
                        recurseTries, recurseToLeaf, c, osize, 0);
            } else {
                int outSize = Math.min(numrep, resultMax - osize);
                chooseIndep(bno, outSize, numrep, type, o, osize, 0, chooseTries,
                        chooseLeafTries != 0 ? chooseLeafTries : 1, recurseToLeaf, c, osize, 0);
                osize += outSize;
            }
        }
        if (recurseToLeaf) {
            // Copy the final leaf values to the output set.
            System.arraycopy(c, 0, o, 0, osize);
        }
        int[] tmp = o;
        o = w;
        w = tmp;
        wsize = osize;
    }

    /**
     * crush_choose_firstn: choose numrep distinct items of the given type, depth first. Writes
     * out[outBase + outpos ...]; with recurseToLeaf also a leaf per item into out2[out2Base + ...].
     * Returns the new outpos.
     */
    private int chooseFirstn(int bucket, int numrep, int type, int[] out, int outBase, int outpos,
            int outSize, int tries, int recurseTries, boolean recurseToLeaf, int[] out2, int out2Base, int parentR) {
        int count = outSize;
        for (int rep = stable != 0 ? 0 : outpos; rep < numrep && count > 0; rep++) {
            // Keep trying until we get a non-out, non-colliding item.
            int ftotal = 0;
            boolean skipRep = false;
            int item = 0;
            boolean retryDescent;
            do {
                retryDescent = false;
                int in = bucket;
                int flocal = 0;
                boolean retryBucket;
                do {
                    boolean collide = false;
                    retryBucket = false;
                    int r = rep + parentR + ftotal;
                    boolean reject;
                    int inSize = m.bucketSize[in];
                    if (inSize == 0) {
                        reject = true;
                    } else {
                        if (localFallbackRetries > 0 && flocal >= (inSize >>> 1) && flocal > localFallbackRetries) {
                            item = m.permChoose(ws, in, x, r);
                        } else {
                            item = m.bucketChoose(ws, in, x, r, args, outpos);
                        }
                        if (item >= m.maxDevices) {
                            skipRep = true;
                            break;
                        }
                        int itemType = item < 0 ? m.bucketType[-1 - item] : 0;
                        if (itemType != type) {
                            if (item >= 0 || (-1 - item) >= m.maxBuckets || !m.exists[-1 - item]) {
                                skipRep = true;
                                break;
                            }
                            in = -1 - item;
                            retryBucket = true;
                            continue;
                        }
                        for (int i = 0; i < outpos; i++) {
                            if (out[outBase + i] == item) {
                                collide = true;
                                break;
                            }
                        }
                        reject = !collide && rejectChoice(item, itemType, r, outpos, count, recurseTries,
                                recurseToLeaf, out2, out2Base);
                    }
                    if (reject || collide) {
                        ftotal++;
                        flocal++;
                        if (collide && flocal <= localRetries) {
                            retryBucket = true; // retry locally a few times
                        } else if (localFallbackRetries > 0 && flocal <= inSize + localFallbackRetries) {
                            retryBucket = true; // exhaustive bucket search
                        } else if (ftotal < tries) {
                            retryDescent = true; // then retry descent
                        } else {
                            skipRep = true; // else give up
                        }
                    }
                } while (retryBucket);
            } while (retryDescent);

            if (skipRep) {
                continue;
            }
            out[outBase + outpos] = item;
            outpos++;
            count--;
            int[] profile = ws.chooseTries;
            if (profile != null && ftotal <= m.chooseTotalTries) {
                profile[ftotal]++;
            }
        }
        return outpos;
    }

    /**
     * The part of crush_choose_firstn after a non-colliding item of the wanted type is found: with
     * chooseleaf, descend to a leaf below it (into out2); then reject a device that is out.
     */
    private boolean rejectChoice(int item, int itemType, int r, int outpos, int count, int recurseTries,
            boolean recurseToLeaf, int[] out2, int out2Base) {
        if (recurseToLeaf) {
            if (item < 0) {
                int subR = varyR != 0 ? r >> (varyR - 1) : 0;
                if (chooseFirstn(-1 - item, stable != 0 ? 1 : outpos + 1, 0, out2, out2Base, outpos, count,
                        recurseTries, 0, false, null, 0, subR) <= outpos) {
                    return true; // didn't get a leaf
                }
            } else {
                out2[out2Base + outpos] = item; // we already have a leaf
            }
        }
        return itemType == 0 && CrushMapper.isOut(weight, item, x);
    }

    /**
     * crush_choose_indep: breadth-first, positionally stable choice of {@code left} items into
     * out[outBase + outpos ...]; an unfillable position gets ITEM_NONE.
     */
    private void chooseIndep(int bucket, int left, int numrep, int type, int[] out, int outBase, int outpos,
            int tries, int recurseTries, boolean recurseToLeaf, int[] out2, int out2Base, int parentR) {
        int endpos = outpos + left;
        for (int rep = outpos; rep < endpos; rep++) {
            out[outBase + rep] = UNDEF;
            if (out2 != null) {
                out2[out2Base + rep] = UNDEF;
            }
        }
        int ftotal;
        for (ftotal = 0; left > 0 && ftotal < tries; ftotal++) {
            for (int rep = outpos; rep < endpos; rep++) {
                if (out[outBase + rep] != UNDEF) {
                    continue;
                }
                left -= chooseIndepOne(bucket, rep, ftotal, numrep, type, out, outBase, outpos, endpos,
                        recurseTries, recurseToLeaf, out2, out2Base, parentR);
            }
        }
        for (int rep = outpos; rep < endpos; rep++) {
            if (out[outBase + rep] == UNDEF) {
                out[outBase + rep] = NONE;
            }
            if (out2 != null && out2[out2Base + rep] == UNDEF) {
                out2[out2Base + rep] = NONE;
            }
        }
        int[] profile = ws.chooseTries;
        if (profile != null && ftotal <= m.chooseTotalTries) {
            profile[ftotal]++;
        }
    }

    /** One attempt for position rep of crush_choose_indep: returns 1 if the position got settled (left--), else 0. */
    private int chooseIndepOne(int bucket, int rep, int ftotal, int numrep, int type, int[] out, int outBase,
            int outpos, int endpos, int recurseTries, boolean recurseToLeaf, int[] out2, int out2Base, int parentR) {
        int in = bucket;
        for (;;) {
            // The choice is based on the position even in the nested call, so a bucket chosen at
            // another position tends to give another item.
            int r = rep + parentR;
            int inSize = m.bucketSize[in];
            if (m.bucketAlg[in] == CrushConstants.BUCKET_UNIFORM && Integer.remainderUnsigned(inSize, numrep) == 0) {
                r += (numrep + 1) * ftotal; // be careful
            } else {
                r += numrep * ftotal;
            }
            if (inSize == 0) {
                return 0; // empty bucket
            }
            int item = m.bucketChoose(ws, in, x, r, args, outpos);
            if (item >= m.maxDevices) {
                out[outBase + rep] = NONE;
                if (out2 != null) {
                    out2[out2Base + rep] = NONE;
                }
                return 1;
            }
            int itemType = item < 0 ? m.bucketType[-1 - item] : 0;
            if (itemType != type) {
                if (item >= 0 || (-1 - item) >= m.maxBuckets || !m.exists[-1 - item]) {
                    out[outBase + rep] = NONE;
                    if (out2 != null) {
                        out2[out2Base + rep] = NONE;
                    }
                    return 1;
                }
                in = -1 - item;
                continue;
            }
            for (int i = outpos; i < endpos; i++) {
                if (out[outBase + i] == item) {
                    return 0; // collision
                }
            }
            if (recurseToLeaf) {
                if (item < 0) {
                    chooseIndep(-1 - item, 1, numrep, 0, out2, out2Base, rep, recurseTries, 0, false, null, 0, r);
                    if (out2[out2Base + rep] == NONE) {
                        return 0; // placed nothing; no leaf
                    }
                } else {
                    out2[out2Base + rep] = item; // we already have a leaf
                }
            }
            if (itemType == 0 && CrushMapper.isOut(weight, item, x)) {
                return 0;
            }
            out[outBase + rep] = item;
            return 1;
        }
    }
}
