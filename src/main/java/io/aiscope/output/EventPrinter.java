package io.aiscope.output;

import io.aiscope.engine.TraceEvent;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Prints events from its own thread, fed through a bounded queue: the event thread only enqueues, so a slow
 * terminal never holds up the ring buffers. An event that finds the queue full is counted and dropped.
 */
public final class EventPrinter implements AutoCloseable {
    public static final int DEFAULT_CAPACITY = 65_536;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final BlockingQueue<TraceEvent> queue;
    private final PrintStream out;
    private final Function<TraceEvent, String> format;
    private final Runnable onOutputClosed;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;
    private volatile long shown; // written by the writer thread only

    /** {@code onOutputClosed} runs once if writing fails (stdout closed, as by {@code | head}). */
    public EventPrinter(PrintStream out, Function<TraceEvent, String> format, int capacity, Runnable onOutputClosed) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.out = out;
        this.format = format;
        this.onOutputClosed = onOutputClosed;
        this.writer = Thread.ofPlatform().name("aiscope-trace-writer").daemon().start(this::write);
    }

    /** On the event thread: never blocks. Events that come after {@link #close()} began are not printed. */
    public void accept(TraceEvent event) {
        if (!closing && !queue.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    private void write() {
        boolean failed = false;
        try {
            while (true) {
                TraceEvent e = queue.poll(50, TimeUnit.MILLISECONDS);
                if (e == null) {
                    out.flush();
                    if (!failed && out.checkError()) {
                        failed = true;
                        onOutputClosed.run();
                    }
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                if (!failed) {
                    out.println(format.apply(e));
                    shown++;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            out.flush();
        }
    }

    /** Events written so far (exact once closed). */
    public long shown() {
        return shown;
    }

    /** Events dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Prints what is queued, then stops the writer; gives up waiting on an output stuck for {@code CLOSE_WAIT}. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
