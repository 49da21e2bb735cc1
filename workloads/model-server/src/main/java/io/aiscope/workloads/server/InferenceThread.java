package io.aiscope.workloads.server;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The one thread that runs the model, as a server with a single accelerator has one execution stream. HTTP
 * worker threads hand jobs over; the thread runs one step of every active job per round, so concurrent
 * generations advance token by token side by side (as continuous batching interleaves them) instead of
 * each waiting for the previous one to finish.
 */
final class InferenceThread {
    private final BlockingQueue<Job> submitted = new LinkedBlockingQueue<>();
    private final List<Job> active = new ArrayList<>();
    private final long tokenDelayMs;

    InferenceThread(long tokenDelayMs) {
        this.tokenDelayMs = tokenDelayMs;
        Thread.ofPlatform().name("inference").daemon().start(this::run);
    }

    void submit(Job job) {
        submitted.add(job);
    }

    private void run() {
        try {
            while (true) {
                if (active.isEmpty()) active.add(submitted.take());
                submitted.drainTo(active);
                for (Iterator<Job> it = active.iterator(); it.hasNext(); ) {
                    if (step(it.next())) it.remove();
                    if (tokenDelayMs > 0) Thread.sleep(tokenDelayMs);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();  // only at shutdown: the thread is a daemon
        }
    }

    private static boolean step(Job job) {
        try {
            return job.step();
        } catch (Exception e) {
            job.failed(e);
            return true;
        }
    }
}
