package io.loligo.osd.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.loligo.osd.objectstore.BlockObjectStore;
import io.loligo.osd.objectstore.CollectionId;
import io.loligo.osd.objectstore.ObjectStore;
import io.loligo.osd.objectstore.StoreFullException;
import io.loligo.osd.objectstore.Transaction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression, full-osd (the whole-suite run's seed was not recorded): an OSD whose file system had
 * less free space than the store's metadata reserve stopped FATAL when a pool's PG collection was
 * created ("cannot create collection ... store full"). The store refusing it is not a reason to
 * stop: the OSD reports itself full, retries, and creates the collection once there is room.
 */
class PgCollectionFullTest {
    @TempDir
    Path dir;
    BlockObjectStore store;

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void fullOsdSeedUnknown_aCollectionTheStoreRefusesForSpaceIsRetriedNotFatal() throws Exception {
        store = FakePgHost.smallStore(dir);
        AtomicInteger refusals = new AtomicInteger(2);   // the store refuses the first two commits, as one below its reserve does
        ObjectStore full = (ObjectStore) Proxy.newProxyInstance(ObjectStore.class.getClassLoader(),
                new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("commit") && refusals.getAndDecrement() > 0) {
                        return CompletableFuture.failedFuture(new StoreFullException("store full: test refusal"));
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        FakePgHost host = new FakePgHost(full);
        Pg pg = new Pg(PastIntervalsTest.PG, host, new PgLog(PgLog.ENTRIES_MAX), 0, 0);
        CollectionId coll = new CollectionId(PastIntervalsTest.PG.pool(), PastIntervalsTest.PG.seed());

        pg.createCollection(0);
        assertThat(host.fatals).isEmpty();
        assertThat(host.storeFullReports).as("reported full once").containsExactly(true);
        assertThat(pg.lastCommit()).as("peering waits for the collection").isNotDone();
        host.run(true, 1);   // the first retry: refused again, no second report
        assertThat(host.storeFullReports).containsExactly(true);
        host.run(true, 1);   // room again
        pg.lastCommit().get(30, TimeUnit.SECONDS);
        assertThat(store.collectionBits(coll)).isPresent();
        assertThat(host.storeFullReports).as("no longer full").containsExactly(true, false);
        assertThat(host.fatals).isEmpty();
    }
}
