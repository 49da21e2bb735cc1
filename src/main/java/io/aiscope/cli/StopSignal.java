package io.aiscope.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a live command learns it should end: SIGINT (Ctrl-C) or SIGTERM, caught instead of killing the JVM so the
 * command can detach and print its summary, or {@link #stop()} from within (stdout closed). Closing it puts the
 * previous signal handlers back.
 */
final class StopSignal implements AutoCloseable {
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

    private StopSignal() {}

    static StopSignal install() {
        StopSignal stop = new StopSignal();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal signal = new Signal(name);
            try {
                stop.previous.put(signal, Signal.handle(signal, s -> stop.stop()));
            } catch (IllegalArgumentException e) {
                // The JVM runs with -Xrs or reserves the signal: it keeps its default meaning.
            }
        }
        return stop;
    }

    void stop() {
        stopped.countDown();
    }

    boolean isStopped() {
        return stopped.getCount() == 0;
    }

    /** Waits until stopped, or at most {@code timeout} when it is not null; true when stopped. */
    boolean await(Duration timeout) {
        try {
            if (timeout == null) {
                stopped.await();
                return true;
            }
            return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}
