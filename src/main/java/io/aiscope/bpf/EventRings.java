package io.aiscope.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Reads every family's event ring on one thread. The BPF side wakes this reader only when a ring fills past a
 * threshold, so the thread also drains on a short timer; each record goes to the consumer registered for its ring.
 */
public final class EventRings implements AutoCloseable {
    /** Receives one event; the segment is valid only during the call. */
    @FunctionalInterface
    public interface Consumer {
        void accept(MemorySegment event);
    }

    private static final int POLL_MS = 10;

    private final Arena arena = Arena.ofShared();
    private final List<Consumer> consumers = new ArrayList<>();
    private final MemorySegment callback;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong consumerErrors = new AtomicLong();
    /** What the first failing consumer threw: the count alone would not say where to look. */
    private volatile String firstConsumerError;
    private MemorySegment rb = MemorySegment.NULL;
    private Runnable afterPass = () -> {};
    /** Passes over all rings completed so far; guarded by this object's monitor for {@link #awaitPasses}. */
    private long passes;
    private Thread reader;
    private volatile boolean running;
    private volatile Throwable failure;

    public EventRings() {
        try {
            var target = MethodHandles.lookup().bind(this, "onSample",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class));
            callback = Libbpf.LINKER.upcallStub(target, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), arena);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds a loaded ring-buffer map; call before {@link #start()}. */
    public synchronized void add(BpfMap ring, Consumer consumer) {
        MemorySegment ctx = MemorySegment.ofAddress(consumers.size());
        consumers.add(consumer);
        if (rb.equals(MemorySegment.NULL)) {
            rb = Native.pointer("cannot read ring buffer " + ring.name(), Libbpf.ring_buffer__new,
                    ring.fd(), callback, ctx, MemorySegment.NULL);
        } else {
            Native.check("cannot read ring buffer " + ring.name(), Libbpf.ring_buffer__add, rb, ring.fd(), callback, ctx);
        }
    }

    /** Runs on the reader thread after each pass over all rings (a poll and a full consume), and after the last. */
    public synchronized void afterEachPass(Runnable action) {
        afterPass = action;
    }

    public synchronized void start() {
        if (rb.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("no ring buffer added");
        }
        running = true;
        reader = Thread.ofPlatform().name("aiscope-events").daemon().start(this::readLoop);
    }

    private void readLoop() {
        try {
            while (running) {
                int polled = (int) Libbpf.ring_buffer__poll.invokeExact(Native.state(), rb, POLL_MS);
                int drained = (int) Libbpf.ring_buffer__consume.invokeExact(Native.state(), rb);
                if (polled < 0 && polled != -4 /* EINTR */ || drained < 0) {
                    throw new BpfException("reading the event rings failed", -Math.min(polled, drained));
                }
                passDone();
            }
            int last = (int) Libbpf.ring_buffer__consume.invokeExact(Native.state(), rb);
            if (last < 0) {
                throw new BpfException("draining the event rings failed", -last);
            }
            // Twice: what waits for "one more pass" after the last events is released too.
            passDone();
            passDone();
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void passDone() {
        try {
            afterPass.run();
        } catch (RuntimeException e) {
            consumerFailed(e);
        }
        synchronized (this) {
            passes++;
            notifyAll();
        }
    }

    /**
     * Waits until the reader has finished {@code n} more passes: then every event submitted before this call has
     * been handed to its consumer, however far behind the reader was (a cold JVM, a busy machine). False when the
     * reader is gone or {@code timeoutMs} ran out first.
     */
    public synchronized boolean awaitPasses(int n, long timeoutMs) throws InterruptedException {
        long target = passes + n, deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (passes < target) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || reader == null || !reader.isAlive()) {
                return false;
            }
            wait(Math.max(1, Math.min(50, left / 1_000_000L)));
        }
        return true;
    }

    private int onSample(MemorySegment ctx, MemorySegment data, long size) {
        received.incrementAndGet();
        try {
            consumers.get((int) ctx.address()).accept(data.reinterpret(size));
        } catch (RuntimeException e) {
            // A bad record must not kill the reader or unwind into libbpf; it is counted and reported.
            consumerFailed(e);
        }
        return 0;
    }

    /** Stops reading after a last drain of whatever the rings still hold. */
    @Override
    public void close() {
        running = false;
        if (reader != null) {
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (!rb.equals(MemorySegment.NULL)) {
                Native.call(Libbpf.ring_buffer__free, rb);
                rb = MemorySegment.NULL;
            }
        }
        arena.close();
    }

    /** Events handed to consumers so far. */
    public long received() {
        return received.get();
    }

    /** Events a consumer could not decode. */
    private void consumerFailed(RuntimeException e) {
        if (consumerErrors.getAndIncrement() == 0) {
            StackTraceElement[] at = e.getStackTrace();
            firstConsumerError = e + (at.length > 0 ? " at " + at[0] : "");
        }
    }

    /** The first consumer failure, with where it happened; null when none failed. */
    public String firstConsumerError() {
        return firstConsumerError;
    }

    public long consumerErrors() {
        return consumerErrors.get();
    }

    /** Why the reader stopped early, if it did. */
    public Throwable failure() {
        return failure;
    }
}
