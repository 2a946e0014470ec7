package io.loligo.messages;

import java.util.Map;

/**
 * The result codes of OSD replies: positive POSIX errno values, as Ceph's replies carry them
 * (there negated), plus a few Loligo codes above 4096. 0 is success. One table, shared by the OSD
 * (which sets them) and the client library (which maps them to its exception family).
 *
 * <p>Which operation returns what (Ceph's PrimaryLogPG::do_osd_ops semantics):
 * <ul>
 *   <li>{@link #ENOENT}: the object (or xattr with {@link #ENODATA}) does not exist for a read,
 *       stat, remove, getxattr, omap read, or guard.</li>
 *   <li>{@link #EEXIST}: {@code create(exclusive=true)} on an existing object.</li>
 *   <li>{@link #ECANCELED}: a {@code cmpxattr} guard did not hold; later sub-ops did not run.</li>
 *   <li>{@link #ERANGE} / {@link #EOVERFLOW}: {@code assert_version} with a version lower /
 *       higher than the object's.</li>
 *   <li>{@link #EACCES}: the client's caps do not allow the op on this pool/namespace.</li>
 *   <li>{@link #ENXIO}: the pool does not exist in the OSD's map (at an epoch not older than the
 *       client's).</li>
 *   <li>{@link #EMISDIRECTED}: this OSD is not the primary of the PG in its map; the client
 *       refetches the map (at least {@code MOSDOpReply.mapEpoch}), recomputes placement, resends.</li>
 *   <li>{@link #EAGAIN}: retry later (e.g. the PG is peering and the op waited too long).</li>
 *   <li>{@link #ENOSPC} / {@link #EDQUOT}: the OSD / pool is full; deletes still work.</li>
 *   <li>{@link #EINVAL}: the op is malformed (bad offsets, empty name, too large).</li>
 *   <li>{@link #EOPNOTSUPP}: unknown object class or method in a {@code call}.</li>
 * </ul>
 */
public final class OsdResult {
    public static final int OK = 0;
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int ENOTEMPTY = 39;
    public static final int ENODATA = 61;
    public static final int EOVERFLOW = 75;
    public static final int EOPNOTSUPP = 95;
    public static final int ETIMEDOUT = 110;
    public static final int EDQUOT = 122;
    public static final int ECANCELED = 125;
    /** Loligo: this OSD is not the PG's primary at its epoch; recompute placement and resend. */
    public static final int EMISDIRECTED = 4097;
    /** Loligo: the OSD could not catch up to the client's newer map epoch in time; resend later. */
    public static final int EMAPBEHIND = 4098;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(OK, "OK"), Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(EIO, "EIO"),
            Map.entry(ENXIO, "ENXIO"), Map.entry(E2BIG, "E2BIG"), Map.entry(EAGAIN, "EAGAIN"),
            Map.entry(EACCES, "EACCES"), Map.entry(EBUSY, "EBUSY"), Map.entry(EEXIST, "EEXIST"),
            Map.entry(EINVAL, "EINVAL"), Map.entry(EFBIG, "EFBIG"), Map.entry(ENOSPC, "ENOSPC"), Map.entry(EROFS, "EROFS"),
            Map.entry(ERANGE, "ERANGE"), Map.entry(ENOTEMPTY, "ENOTEMPTY"), Map.entry(ENODATA, "ENODATA"),
            Map.entry(EOVERFLOW, "EOVERFLOW"), Map.entry(EOPNOTSUPP, "EOPNOTSUPP"),
            Map.entry(ETIMEDOUT, "ETIMEDOUT"), Map.entry(EDQUOT, "EDQUOT"), Map.entry(ECANCELED, "ECANCELED"),
            Map.entry(EMISDIRECTED, "EMISDIRECTED"), Map.entry(EMAPBEHIND, "EMAPBEHIND"));

    private OsdResult() {}

    /** The symbolic name of {@code code} ("ENOENT"), or "E" + the number when unknown. */
    public static String name(int code) {
        String name = NAMES.get(code);
        return name != null ? name : "E" + code;
    }
}
