package io.loligo.crush.binary;

import io.loligo.crush.Bucket;
import io.loligo.crush.CrushMap;
import io.loligo.crush.Rule;
import java.util.ArrayList;
import java.util.List;

/** Everything a CrushMap holds, one fact per line, so that two maps compare field by field. */
final class MapFacts {
    private MapFacts() {}

    static List<String> of(CrushMap map) {
        List<String> lines = new ArrayList<>();
        var t = map.tunables;
        lines.add("tunables " + t.chooseLocalTries + " " + t.chooseLocalFallbackTries + " " + t.chooseTotalTries + " "
                + t.chooseleafDescendOnce + " " + t.chooseleafVaryR + " " + t.chooseleafStable + " "
                + t.strawCalcVersion + " " + t.allowedBucketAlgs);
        map.devices.values().forEach(d -> lines.add("device " + d));
        map.types.forEach((id, n) -> lines.add("type " + id + " " + n));
        map.classNames.forEach((id, n) -> lines.add("class " + id + " " + n));
        for (Bucket b : map.buckets.values()) {
            lines.add("bucket " + b.id + " " + b.name + " type " + b.type + " alg " + b.alg + " hash " + b.hash
                    + " classIds " + b.classIds + " shadowOf " + b.shadowOf + " shadowClass " + b.shadowClass);
            b.items.forEach(i -> lines.add("  item " + i.id() + " " + i.weight()));
        }
        for (Rule r : map.rules.values()) {
            lines.add("rule " + r.id + " " + r.name + " type " + r.type + " size " + r.minSize + ".." + r.maxSize);
            r.steps.forEach(s -> lines.add("  " + s));
        }
        map.chooseArgs.forEach((index, args) -> args.forEach((bucket, arg) ->
                lines.add("choose_args " + index + " bucket " + bucket + " " + arg)));
        return lines;
    }
}
