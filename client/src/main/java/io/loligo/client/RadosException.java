package io.loligo.client;

/**
 * Every failure the client library reports: one sealed family, each with the POSIX errno the OSDs
 * and monitors use for it (positive, like msg's codes) and the exit code the CLI gives it.
 * Unchecked, so they pass through {@code CompletableFuture} stages unchanged; {@link #of} maps an
 * errno from a reply to its type.
 *
 * <pre>
 * type               errno          CLI exit
 * ObjectNotFound     ENOENT  2      1
 * ObjectExists       EEXIST 17      1
 * PoolNotFound       ENOENT  2      1   (raised before sending, from the OSD map)
 * PermissionDenied   EACCES 13 / EPERM 1
 * Timeout            ETIMEDOUT 110
 * ClusterFull        ENOSPC 28 / EDQUOT 122
 * BadRequest         EINVAL 22 (and ERANGE, E2BIG, ENAMETOOLONG)
 * Canceled           ECANCELED 125  (a guard of a compound operation failed)
 * NoData             ENODATA 61     (xattr or omap key missing)
 * SnapNotFound       ENOENT  2      1   (no pool snapshot of that name, from the OSD map)
 * SnapExists         EEXIST 17      1   (snapCreate of a name the pool has)
 * NotSupported       EOPNOTSUPP 95  1   (unknown object class or method)
 * Other              anything else, with its errno
 * </pre>
 */
public abstract sealed class RadosException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int E2BIG = 7;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;
    public static final int ETIMEDOUT = 110;
    public static final int EDQUOT = 122;
    public static final int ECANCELED = 125;

    private final int errno;

    private RadosException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** The positive POSIX errno. */
    public int errno() {
        return errno;
    }

    /** The exit code the CLI uses: 1 for every operational failure, 2 for a bad request. */
    public int exitCode() {
        return this instanceof BadRequest ? 2 : 1;
    }

    /** The exception for an errno (sign ignored) from a reply, with {@code what} naming the object and op. */
    public static RadosException of(int errno, String what) {
        int e = Math.abs(errno);
        return switch (e) {
            case ENOENT -> new ObjectNotFound(what + ": no such object (ENOENT)");
            case EEXIST -> new ObjectExists(what + ": object exists (EEXIST)");
            case EACCES, EPERM -> new PermissionDenied(e, what + ": permission denied (" + (e == EPERM ? "EPERM" : "EACCES") + ")");
            case ETIMEDOUT -> new Timeout(what + ": timed out (ETIMEDOUT)");
            case ENOSPC, EDQUOT -> new ClusterFull(e, what + ": " + (e == ENOSPC ? "cluster or pool full (ENOSPC)" : "pool quota reached (EDQUOT)"));
            case EINVAL, ERANGE, E2BIG, ENAMETOOLONG -> new BadRequest(e, what + ": invalid request (errno " + e + ")");
            case ECANCELED -> new Canceled(what + ": a guard of the operation failed (ECANCELED)");
            case ENODATA -> new NoData(what + ": no such attribute or key (ENODATA)");
            case EOPNOTSUPP -> new NotSupported(what + ": operation not supported (EOPNOTSUPP)");
            default -> new Other(e, what + ": failed with errno " + e);
        };
    }

    public static final class ObjectNotFound extends RadosException {
        private static final long serialVersionUID = 1L;

        public ObjectNotFound(String message) {
            super(ENOENT, message);
        }
    }

    public static final class ObjectExists extends RadosException {
        private static final long serialVersionUID = 1L;

        public ObjectExists(String message) {
            super(EEXIST, message);
        }
    }

    public static final class PoolNotFound extends RadosException {
        private static final long serialVersionUID = 1L;

        public PoolNotFound(String pool) {
            super(ENOENT, "pool '" + pool + "' not found; list pools with: loligo osd pool ls");
        }
    }

    public static final class PermissionDenied extends RadosException {
        private static final long serialVersionUID = 1L;

        public PermissionDenied(int errno, String message) {
            super(errno, message);
        }
    }

    public static final class Timeout extends RadosException {
        private static final long serialVersionUID = 1L;

        public Timeout(String message) {
            super(ETIMEDOUT, message);
        }
    }

    public static final class ClusterFull extends RadosException {
        private static final long serialVersionUID = 1L;

        public ClusterFull(int errno, String message) {
            super(errno, message);
        }
    }

    public static final class BadRequest extends RadosException {
        private static final long serialVersionUID = 1L;

        public BadRequest(int errno, String message) {
            super(errno, message);
        }

        public BadRequest(String message) {
            super(EINVAL, message);
        }
    }

    public static final class Canceled extends RadosException {
        private static final long serialVersionUID = 1L;

        public Canceled(String message) {
            super(ECANCELED, message);
        }
    }

    public static final class NoData extends RadosException {
        private static final long serialVersionUID = 1L;

        public NoData(String message) {
            super(ENODATA, message);
        }
    }

    public static final class SnapNotFound extends RadosException {
        private static final long serialVersionUID = 1L;

        public SnapNotFound(String pool, String snap) {
            super(ENOENT, "pool '" + pool + "' has no snapshot '" + snap + "'; list them with: loligo rados -p " + pool
                    + " lssnap");
        }
    }

    public static final class SnapExists extends RadosException {
        private static final long serialVersionUID = 1L;

        public SnapExists(String message) {
            super(EEXIST, message);
        }
    }

    /** An object class or method the OSDs do not have, or another unsupported operation. */
    public static final class NotSupported extends RadosException {
        private static final long serialVersionUID = 1L;

        public NotSupported(String message) {
            super(EOPNOTSUPP, message);
        }
    }

    /** Not connected to the cluster, or an errno without a type of its own. */
    public static final class Other extends RadosException {
        private static final long serialVersionUID = 1L;

        public Other(int errno, String message) {
            super(errno, message);
        }
    }
}
