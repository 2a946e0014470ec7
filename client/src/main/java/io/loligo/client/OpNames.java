package io.loligo.client;

import io.loligo.messages.OsdOp;
import java.util.List;
import java.util.stream.Collectors;

/** Short names of ops and objects for error messages: {@code write_full+setxattr on pool 1 'obj'}. */
final class OpNames {
    private OpNames() {}

    static String describe(List<OsdOp> ops) {
        return ops.stream().map(OpNames::name).collect(Collectors.joining("+"));
    }

    static String name(OsdOp op) {
        return switch (op) {
            case OsdOp.Create c -> c.exclusive() ? "create(exclusive)" : "create";
            case OsdOp.Write w -> "write";
            case OsdOp.WriteFull w -> "write_full";
            case OsdOp.Append a -> "append";
            case OsdOp.Truncate t -> "truncate";
            case OsdOp.Zero z -> "zero";
            case OsdOp.Remove r -> "remove";
            case OsdOp.Read r -> "read";
            case OsdOp.Stat s -> "stat";
            case OsdOp.GetXattr g -> "getxattr(" + g.name() + ")";
            case OsdOp.SetXattr x -> "setxattr(" + x.name() + ")";
            case OsdOp.RmXattr x -> "rmxattr(" + x.name() + ")";
            case OsdOp.GetXattrs x -> "getxattrs";
            case OsdOp.CmpXattr c -> "cmpxattr(" + c.name() + ")";
            case OsdOp.AssertVersion a -> "assert_version";
            case OsdOp.OmapGetValsByKeys o -> "omap_get_vals_by_keys";
            case OsdOp.OmapSetVals o -> "omap_set";
            case OsdOp.OmapRmKeys o -> "omap_rm_keys";
            case OsdOp.OmapList o -> "omap_list";
            case OsdOp.OmapGetHeader o -> "omap_get_header";
            case OsdOp.OmapSetHeader o -> "omap_set_header";
            case OsdOp.OmapClear o -> "omap_clear";
            case OsdOp.Call c -> "call(" + c.className() + "." + c.method() + ")";
        };
    }

    static String object(int pool, String namespace, String name) {
        return "pool " + pool + " object '" + (namespace.isEmpty() ? "" : namespace + "/") + name + "'";
    }
}
