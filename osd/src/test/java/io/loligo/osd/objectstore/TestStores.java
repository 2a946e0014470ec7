package io.loligo.osd.objectstore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/** Helpers shared by the store's tests: temp dirs, seeds, committing and waiting with a deadline. */
final class TestStores {
    static final StoreOptions SMALL = StoreOptions.small(64L << 20);

    private TestStores() {}

    static BlockObjectStore create(Path dir, StoreOptions options) throws IOException {
        BlockObjectStore.mkfs(dir, options);
        return BlockObjectStore.open(dir, options);
    }

    /** Commits and waits (with a deadline); returns the transaction's error, or null. */
    static StoreException commit(ObjectStore store, Transaction txn) {
        return await(store.commit(txn));
    }

    static StoreException await(CompletableFuture<Void> f) {
        try {
            f.get(60, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StoreException se) {
                return se;
            }
            throw new AssertionError("commit failed with a non-store error", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("commit did not complete within 60 s", e);
        }
    }

    static void commitOk(ObjectStore store, Transaction txn) {
        StoreException e = commit(store, txn);
        if (e != null) {
            throw new AssertionError("commit failed: " + e, e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The seeds a property test runs: a fixed list, or only LOLIGO_SEED when it is set. */
    static List<Long> seeds(long... fixed) {
        String env = System.getenv("LOLIGO_SEED");
        if (env != null && !env.isBlank()) {
            return List.of(Long.parseLong(env.trim()));
        }
        return java.util.Arrays.stream(fixed).boxed().toList();
    }
}
