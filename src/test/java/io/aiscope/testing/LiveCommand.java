package io.aiscope.testing;


import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** An aiscope command running as its own process (trace, top, serve): its output read as it comes, signals sent. */
public final class LiveCommand implements AutoCloseable {
    private final Process process;
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();

    public LiveCommand(String... args) throws IOException {
        process = new ProcessBuilder(Aiscope.command(args)).start();
        collect(process.getInputStream(), stdout);
        collect(process.getErrorStream(), stderr);
    }

    private void collect(InputStream stream, List<String> lines) {
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (this) {
                        lines.add(line);
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // process gone
            }
        });
    }

    public synchronized List<String> stdout() {
        return List.copyOf(stdout);
    }

    public synchronized List<String> stderr() {
        return List.copyOf(stderr);
    }

    /** Waits for a stderr line matching {@code wanted}; fails with what was printed if none comes. */
    public String awaitStderr(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        return await(stderr, wanted, timeout);
    }

    public String awaitStdout(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        return await(stdout, wanted, timeout);
    }

    private synchronized String await(List<String> lines, Predicate<String> wanted, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> line = lines.stream().filter(wanted).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            long now = System.nanoTime();
            if (!process.isAlive()) {
                deadline = Math.min(deadline, now + 1_000_000_000L); // its last lines may still be in flight
            }
            if (now >= deadline) {
                throw new AssertionError("no such line; alive=" + process.isAlive() + "\nstdout:\n"
                        + String.join("\n", stdout) + "\nstderr:\n" + String.join("\n", stderr));
            }
            wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(deadline - now))));
        }
    }

    public void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** Waits for the exit and for its output to be read; the exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("aiscope did not exit within " + timeout + "\nstderr:\n" + String.join("\n", stderr()));
        }
        Thread.sleep(200); // the readers take the last lines
        return process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
