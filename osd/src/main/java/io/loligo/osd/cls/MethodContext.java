package io.loligo.osd.cls;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * What an object class method may do with the object it is called on (Ceph's cls_cxx_* calls). It
 * runs on the PG's primary inside the op: its writes join the op's one transaction (logged,
 * replicated and acknowledged with the op's other sub-ops, or not applied at all when any sub-op
 * fails). Reads see the object as it was before this op's writes. Failures are {@link
 * ClassException}s carrying an errno ({@link io.loligo.messages.OsdResult}).
 */
public interface MethodContext {
    boolean exists();

    long size();

    /** Bytes [offset, offset + length) of the data (length 0: to the end); ENOENT when absent. */
    byte[] read(long offset, long length) throws ClassException;

    void create(boolean exclusive) throws ClassException;

    void writeFull(byte[] data) throws ClassException;

    void write(long offset, byte[] data) throws ClassException;

    void remove() throws ClassException;

    /** A user xattr (the names clients see); empty when absent. */
    Optional<byte[]> getXattr(String name) throws ClassException;

    void setXattr(String name, byte[] value) throws ClassException;

    void rmXattr(String name) throws ClassException;

    SortedMap<String, byte[]> omapGet(Collection<String> keys) throws ClassException;

    /** Up to {@code max} entries after {@code startAfter} ("" = from the start) with {@code prefix}. */
    SortedMap<String, byte[]> omapList(String startAfter, String prefix, int max) throws ClassException;

    void omapSet(SortedMap<String, byte[]> entries) throws ClassException;

    void omapRmKeys(List<String> keys) throws ClassException;

    byte[] omapHeader() throws ClassException;

    void omapSetHeader(byte[] header) throws ClassException;
}
