package io.loligo.osd.objectstore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * The process that {@link CrashConsistencyTest} kills. Usage: {@code CrashChild DIR SEED START END WINDOW LOG_BYTES}
 * (LOG_BYTES: the commit log's size at mkfs).
 * Regenerates transactions [0, START) into its model without running them (a previous child ran
 * them), then commits [START, END) with up to WINDOW in flight, printing {@code C <index> ok} or
 * {@code C <index> err <Class>} as each completes and before it is let go of, so every line printed
 * is a transaction the store acknowledged. Before each such line it prints {@code S <log wraps>
 * <oversized batches>}, the store's counts since this open, so the test can tell that the log wrapped.
 */
public final class CrashChild {
    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        int start = Integer.parseInt(args[2]);
        int end = Integer.parseInt(args[3]);
        int window = Integer.parseInt(args[4]);
        long logBytes = Long.parseLong(args[5]);
        StoreOptions options = CrashConsistencyTest.OPTIONS;
        if (!Files.exists(dir.resolve(BlockObjectStore.DB_DIR).resolve("CURRENT"))) {
            BlockObjectStore.mkfs(dir, options, logBytes);
        }
        TxnGenerator gen = new TxnGenerator(seed, true);
        ModelStore model = new ModelStore();
        Semaphore inFlight = new Semaphore(window);
        try (BlockObjectStore store = BlockObjectStore.open(dir, options)) {
            System.out.println("OPEN");
            System.out.flush();
            for (int i = 0; i < end; i++) {
                Transaction txn = i == 0 ? TxnGenerator.setup() : gen.next(model);
                model.apply(txn);
                if (i < start) {
                    continue;
                }
                inFlight.acquire();
                int index = i;
                store.commit(txn).whenComplete((ok, error) -> {
                    System.out.println("S " + store.logWrapCount() + " " + store.oversizedBatchCount());
                    System.out.println(error == null ? "C " + index + " ok"
                            : "C " + index + " err " + error.getClass().getSimpleName());
                    System.out.flush();
                    inFlight.release();
                });
            }
            inFlight.acquire(window);
            System.out.println("DONE");
            System.out.flush();
        }
    }
}
