package io.loligo.crush.text;

import io.loligo.crush.Bucket;
import io.loligo.crush.CrushMap;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * choose_args blocks (CrushCompiler::parse_choose_args): per bucket, weight sets with one weight
 * per bucket item for each position, and/or one replacement id per item. Buckets may be shadow
 * buckets: the text lists them by id.
 */
final class ChooseArgsCompiler {
    private ChooseArgsCompiler() {}

    static void compile(CrushMap map, Syntax.ChooseArgs block) throws CrushParseException {
        long index = MapCompiler.number(block.index(), 0, Integer.MAX_VALUE, "choose_args index");
        if (map.chooseArgs.containsKey(index)) {
            throw block.index().error("choose_args " + index + " duplicated");
        }
        TreeMap<Integer, CrushMap.ChooseArg> args = new TreeMap<>();
        for (Syntax.ChooseArg arg : block.args()) {
            int bucketId = MapCompiler.number(arg.bucketId(), Integer.MIN_VALUE, -1, "bucket_id");
            Bucket bucket = map.bucket(bucketId);
            if (bucket == null) {
                throw arg.bucketId().error("choose_args " + index + ": bucket " + bucketId + " does not exist");
            }
            if (args.containsKey(bucketId)) {
                throw arg.bucketId().error("choose_args " + index + ": bucket " + bucketId + " listed twice");
            }
            int size = bucket.items.size();
            List<List<Integer>> weightSet = new ArrayList<>();
            for (List<Token> weights : arg.weightSet()) {
                if (weights.size() != size) {
                    throw (weights.isEmpty() ? arg.weightSetKeyword() : weights.getFirst()).error(bucketId
                            + " needs exactly " + size + " weights but got " + weights.size());
                }
                List<Integer> list = new ArrayList<>();
                for (Token w : weights) {
                    long value = Weights.fromText(w.text());
                    if (value < 0 || value > 0xFFFFFFFFL) {
                        throw w.error("choose_args weight " + w.text() + " out of range (0..65535)");
                    }
                    list.add((int) value);
                }
                weightSet.add(list);
            }
            if (arg.idsKeyword() != null && arg.ids().size() != size) {
                throw arg.idsKeyword().error(bucketId + " needs exactly " + size + " ids but got " + arg.ids().size());
            }
            List<Integer> ids = new ArrayList<>();
            for (Token id : arg.ids()) {
                ids.add(MapCompiler.number(id, Integer.MIN_VALUE, Integer.MAX_VALUE, "choose_args id"));
            }
            args.put(bucketId, new CrushMap.ChooseArg(weightSet, ids));
        }
        map.chooseArgs.put(index, args);
    }
}
