package io.aiscope.output;

import io.aiscope.engine.TraceEvent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("unit")
class EventPrinterTest {
    private static TraceEvent event(int n) {
        return new TraceEvent("test", "e", n, n, n, Map.of());
    }

    @Test
    void printsEveryEventInOrder() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EventPrinter printer = new EventPrinter(new PrintStream(bytes, false, StandardCharsets.UTF_8),
                e -> "event " + e.pid(), 16, () -> {});
        for (int i = 0; i < 10; i++) {
            printer.accept(event(i));
        }
        printer.close();
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines())
                .containsExactly("event 0", "event 1", "event 2", "event 3", "event 4", "event 5", "event 6", "event 7",
                        "event 8", "event 9");
        assertThat(printer.shown()).isEqualTo(10);
        assertThat(printer.dropped()).isZero();
    }

    @Test
    void aStuckOutputNeverBlocksTheCallerAndDropsAreCounted() throws Exception {
        CountDownLatch writing = new CountDownLatch(1), release = new CountDownLatch(1);
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                writing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
        };
        EventPrinter printer = new EventPrinter(new PrintStream(stuck, true), e -> "x", 4, () -> {});
        printer.accept(event(0));
        assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue(); // the writer holds event 0, blocked
        long started = System.nanoTime();
        for (int i = 1; i <= 1000; i++) {
            printer.accept(event(i));
        }
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(1));
        assertThat(printer.dropped()).isEqualTo(1000 - 4);
        release.countDown();
        printer.close();
        assertThat(printer.shown()).isEqualTo(5);
    }

    @Test
    void aClosedOutputIsReportedOnce() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        CountDownLatch told = new CountDownLatch(1);
        PrintStream broken = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("Broken pipe");
            }
        }, false);
        EventPrinter printer = new EventPrinter(broken, e -> "x", 4, () -> {
            assertThat(closed.getAndSet(true)).isFalse();
            told.countDown();
        });
        printer.accept(event(1));
        assertThat(told.await(5, TimeUnit.SECONDS)).isTrue();
        printer.close();
    }
}
