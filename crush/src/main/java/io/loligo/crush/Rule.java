package io.loligo.crush;

import java.util.ArrayList;
import java.util.List;

/**
 * A CRUSH rule: id, name, type (1 replicated, 3 erasure), min/max size and its steps.
 * A {@code take} step's arg1 is the bucket id to start from; for {@code take X class C} that is
 * the id of X's shadow bucket for class C, exactly as Ceph compiles it.
 */
public final class Rule {
    /** One step: an opcode from {@link CrushConstants} and two arguments (Ceph's crush_rule_step). */
    public record Step(int op, int arg1, int arg2) {}

    public final int id;
    public String name;
    public int type = CrushConstants.RULE_TYPE_REPLICATED;
    public int minSize = 1;
    public int maxSize = 10;
    public final List<Step> steps = new ArrayList<>();

    public Rule(int id, String name) {
        this.id = id;
        this.name = name;
    }
}
