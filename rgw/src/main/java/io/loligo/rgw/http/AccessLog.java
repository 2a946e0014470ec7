package io.loligo.rgw.http;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request, appended to a file by a background thread so a slow disk never stalls a
 * request: requests hand lines to a bounded queue ({@link #QUEUE_MAX}); when it is full a line is
 * dropped and counted ({@link #dropped()}), never waited for. Format (space-separated, the request
 * line quoted, "-" for absent):
 * <pre>TIME REMOTE "METHOD PATH?QUERY" STATUS BYTES_IN BYTES_OUT MICROS OP USER REQUEST_ID</pre>
 * TIME is ISO-8601 UTC; OP is the S3 operation (or {@code swift.*}, {@code admin.*}). The writer
 * flushes whenever the queue runs empty, so a line is in the file within milliseconds of the answer.
 */
public final class AccessLog implements AutoCloseable {
    public static final int QUEUE_MAX = 65_536;
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final Logger debug = LoggerFactory.getLogger("io.loligo.rgw.access");
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_MAX);
    private final LongAdder dropped = new LongAdder();
    private final BufferedWriter out;
    private final Thread writer;
    private volatile boolean closed;

    /** A log appending to {@code file} (created with its directories), or only the debug logger when null. */
    public AccessLog(Path file) throws IOException {
        if (file == null) {
            out = null;
            writer = null;
            return;
        }
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        writer = Thread.ofPlatform().daemon().name("rgw-access-log").start(this::drain);
    }

    /** Records one answered request. */
    public void record(String remote, String method, String pathQuery, int status, long bytesIn, long bytesOut, long micros,
                       String op, String user, String requestId) {
        if (out == null && !debug.isDebugEnabled()) {
            return;
        }
        String line = Instant.now() + " " + dash(remote) + " \"" + method + " " + pathQuery.replace("\"", "%22").replace("\n", "%0A")
                + "\" " + status + " " + bytesIn + " " + bytesOut + " " + micros + " " + dash(op) + " " + dash(user) + " " + dash(requestId);
        debug.debug(line);
        if (out != null && !queue.offer(line)) {
            dropped.increment();
        }
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s.replace(' ', '+');
    }

    public long dropped() {
        return dropped.sum();
    }

    private void drain() {
        List<String> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                String first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 4096);
                for (String l : batch) {
                    out.write(l);
                    out.write('\n');
                }
                batch.clear();
                if (queue.isEmpty()) {
                    out.flush();
                }
            } catch (InterruptedException e) {
                closed = true;
            } catch (IOException e) {
                log.warn("rgw access log: write failed ({}); {} lines lost", e.toString(), batch.size());
                dropped.add(batch.size());
                batch.clear();
            }
        }
        try {
            out.flush();
        } catch (IOException e) {
            log.warn("rgw access log: final flush failed: {}", e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        if (out == null) {
            return;
        }
        closed = true;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.close();
    }
}
