package io.loligo.osd.objectstore;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

/**
 * Loads RocksDB's JNI library from one extracted copy per rocksdbjni jar, kept in the temp
 * directory under a name made of the jar's size and modification time.
 *
 * <p>{@link RocksDB#loadLibrary()} extracts the 17 MB library into a fresh temp file on every
 * start and deletes it only on a clean exit, so every killed OSD (the fault suite kills hundreds)
 * left one behind: 14 GB of {@code /tmp/librocksdbjni*.so} after one session's tests. Here the
 * first process extracts into a private temp file and renames it into place atomically; later
 * processes, concurrent ones included, load the same file.
 */
final class RocksNative {
    private RocksNative() {}

    static void load() {
        Path dir;
        try {
            dir = extract();
        } catch (IOException | URISyntaxException | RuntimeException e) {
            RocksDB.loadLibrary(); // not loaded from a plain jar: RocksDB's own loader
            return;
        }
        RocksDB.loadLibrary(List.of(dir.toString()));
    }

    /** The directory holding the library under the name {@link RocksDB#loadLibrary(List)} looks for. */
    private static Path extract() throws IOException, URISyntaxException {
        Path jar = Path.of(RocksDB.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(jar)) {
            throw new IOException("rocksdbjni is not loaded from a jar: " + jar);
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"),
                "loligo-rocksdbjni-" + System.getProperty("user.name") + "-" + Files.size(jar) + "-"
                        + Files.getLastModifiedTime(jar).toMillis());
        Path lib = dir.resolve(Environment.getJniLibraryFileName("rocksdbjni"));
        if (Files.isRegularFile(lib)) {
            return dir;
        }
        Files.createDirectories(dir);
        Path part = Files.createTempFile(dir, "extracting-", ".part");
        try (InputStream in = RocksDB.class.getClassLoader()
                .getResourceAsStream(Environment.getJniLibraryFileName("rocksdb"))) {
            if (in == null) {
                throw new IOException("no " + Environment.getJniLibraryFileName("rocksdb") + " in " + jar);
            }
            Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(part);
        }
        return dir;
    }
}
