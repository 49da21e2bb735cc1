package io.aiscope.output.perfetto;

import io.aiscope.correlate.TracedRequest;
import io.aiscope.engine.AiscopeException;
import io.aiscope.engine.TraceEvent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Records a session's events and requests into a Chrome trace (Perfetto) JSON file as they happen. The event thread
 * only enqueues ({@link #onEvent}, {@link #onRequest}) into a bounded queue and never waits: when the writer falls
 * behind, what finds the queue full is dropped and counted. A writer thread turns the rest into trace events
 * ({@link Timeline}) and streams them to the file; {@link #finish} writes the end of the file.
 *
 * <p>Timestamps are microseconds from {@code originNs} (CLOCK_MONOTONIC, as {@link System#nanoTime()} is on Linux),
 * which the file records in otherData as {@code clock_origin_ns}.
 */
public final class ChromeTraceRecorder implements AutoCloseable {
    public static final int DEFAULT_CAPACITY = 65_536;
    private static final long FLUSH_EVERY_NS = TimeUnit.MILLISECONDS.toNanos(500);

    /** What was recorded: events and requests written, and what was lost on the way. */
    public record Summary(Path file, long events, long requests, long traceEvents, long droppedEvents,
            long droppedRequests, long unnested) {}

    private final Path file;
    private final TraceTime time;
    private final ThreadNames names;
    private final ChromeTraceWriter writer;
    private final Timeline timeline;
    private final BlockingQueue<Object> queue;
    private final AtomicLong droppedEvents = new AtomicLong();
    private final AtomicLong droppedRequests = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final Thread thread;
    private volatile boolean closing;
    private volatile IOException failure;
    private volatile RuntimeException bug;
    private boolean finished;

    /** {@code file} is only named in messages and removed by an empty {@link #close()}; {@code stream} writes it. */
    ChromeTraceRecorder(Path file, OutputStream stream, long originNs, ThreadNames names, int capacity)
            throws IOException {
        this.file = file;
        this.time = new TraceTime(originNs);
        this.names = names;
        this.writer = new ChromeTraceWriter(stream, time);
        this.timeline = new Timeline(writer, names);
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = Thread.ofPlatform().name("aiscope-record-writer").daemon().start(this::drain);
    }

    /**
     * Creates (or truncates) {@code file} and starts the writer. Fails with one clear message when the file cannot be
     * written, before anything is traced.
     *
     * @param processNames names by pid (the session's, which outlive the processes)
     */
    public static ChromeTraceRecorder open(Path file, long originNs, IntFunction<String> processNames, int capacity) {
        OutputStream stream;
        try {
            stream = Files.newOutputStream(file);
        } catch (IOException | UnsupportedOperationException e) {
            throw new AiscopeException("cannot write " + file + ": " + reason(e));
        }
        try {
            return new ChromeTraceRecorder(file, stream, originNs, new ThreadNames(processNames), capacity);
        } catch (IOException e) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // the first error is the one to report
            }
            throw new AiscopeException("cannot write " + file + ": " + reason(e));
        }
    }

    /** On the event thread: never blocks. */
    public void onEvent(TraceEvent event) {
        if (closing) {
            return;
        }
        names.observe(event.pid(), event.tid());
        if (queue.offer(event)) {
            accepted.incrementAndGet();
        } else {
            droppedEvents.incrementAndGet();
        }
    }

    /** On the event thread: never blocks. */
    public void onRequest(TracedRequest request) {
        if (closing) {
            return;
        }
        names.observe(request.exchange().pid(), request.exchange().startTid());
        names.observe(request.exchange().pid(), request.exchange().endTid());
        if (queue.offer(request)) {
            accepted.incrementAndGet();
        } else {
            droppedRequests.incrementAndGet();
        }
    }

    private void drain() {
        long flushed = System.nanoTime();
        try {
            while (true) {
                Object item = queue.poll(100, TimeUnit.MILLISECONDS);
                if (item == null) {
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                } else {
                    write(item);
                }
                if (failure == null && bug == null && (item == null || System.nanoTime() - flushed > FLUSH_EVERY_NS)) {
                    flush(); // a file looked at while recording shows what came so far
                    flushed = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void flush() {
        try {
            writer.flush();
        } catch (IOException e) {
            failure = e;
        }
    }

    private void write(Object item) {
        if (failure != null || bug != null) {
            return; // keep taking items so the queue never fills for nothing; the failure is reported at the end
        }
        try {
            switch (item) {
                case TraceEvent e -> timeline.add(e);
                case TracedRequest r -> timeline.add(r);
                default -> throw new IllegalArgumentException("cannot record " + item.getClass());
            }
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException e) {
            bug = e;
        }
    }

    /**
     * Writes what is queued, then the end of the file with {@code otherData} (plus the counts this recorder keeps),
     * and closes it. Events offered after this began are not recorded.
     *
     * @param droppedInKernel events the kernel could not hand over (full rings), for the total in otherData
     * @throws AiscopeException when the file could not be written
     */
    public Summary finish(Map<String, ?> otherData, long droppedInKernel) {
        if (finished) {
            throw new IllegalStateException("already finished");
        }
        stop();
        finished = true;
        try (writer) {
            if (failure != null) {
                throw failure;
            }
            if (bug != null) {
                throw new IllegalStateException("recording failed: " + bug, bug);
            }
            Map<String, Object> other = new LinkedHashMap<>(otherData);
            long lost = droppedInKernel + droppedEvents.get();
            other.put("dropped_events", lost);
            other.put("dropped_in_kernel", droppedInKernel);
            other.put("dropped_in_queue", droppedEvents.get());
            other.put("dropped_requests", droppedRequests.get());
            other.put("events", timeline.events());
            other.put("requests", timeline.requests());
            other.put("unnested_slices", timeline.unnested());
            other.put("clock", "CLOCK_MONOTONIC");
            other.put("clock_origin_ns", time.originNs());
            writer.finish("ms", other);
        } catch (IOException e) {
            throw new AiscopeException("cannot write " + file + ": " + reason(e));
        }
        return summary();
    }

    private void stop() {
        closing = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
        }
    }

    private Summary summary() {
        return new Summary(file, timeline.events(), timeline.requests(), writer.written(), droppedEvents.get(),
                droppedRequests.get(), timeline.unnested());
    }

    /**
     * For an error path: a recording that got something is finished (marked incomplete) so the file stays
     * readable; one that got nothing is removed rather than left as an empty trace.
     */
    @Override
    public void close() {
        if (finished) {
            return;
        }
        if (accepted.get() > 0) {
            try {
                finish(Map.of("complete", false), 0);
            } catch (RuntimeException e) {
                // already failing: the first error is the one reported
            }
            return;
        }
        stop();
        finished = true;
        try {
            writer.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing useful to do on an error path
        }
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
