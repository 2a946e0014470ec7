package io.loligo.osd.objectstore;

/** A block's CRC32C did not match the one in the metadata: the data is never returned. */
public final class ChecksumMismatchException extends StoreException {
    private final ObjectId oid;
    private final long logicalOffset;
    private final long physicalBlock;

    public ChecksumMismatchException(ObjectId oid, long logicalOffset, long physicalBlock, int expected, int actual) {
        super(String.format("object %s: checksum mismatch in extent [%d, %d) at block %d of the data file: "
                        + "crc32c 0x%08x, expected 0x%08x; the data is not served (repair it from a replica)",
                oid, logicalOffset, logicalOffset + Keys.BLOCK_BYTES, physicalBlock, actual, expected));
        this.oid = oid;
        this.logicalOffset = logicalOffset;
        this.physicalBlock = physicalBlock;
    }

    public ObjectId oid() {
        return oid;
    }

    public long logicalOffset() {
        return logicalOffset;
    }

    public long physicalBlock() {
        return physicalBlock;
    }
}
