package io.aiscope.cli;

import io.aiscope.testing.LiveCommand;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("kernel")
class ServeCommandTest {
    private static final Pattern URL = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/metrics");
    private static final Pattern LOADED = Pattern.compile("aiscope_agent_events_lost_total\\{family=\"(\\w+)\"} .*");
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void metricsOfATracedProcessOnLoopbackOnly() throws Exception {
        int calls = 23;
        try (CudaMallocs workload = new CudaMallocs(calls);
             LiveCommand serve = new LiveCommand("serve", "-p", Integer.toString(workload.pid()), "--listen", "127.0.0.1:0")) {
            Matcher url = URL.matcher(serve.awaitStderr(l -> URL.matcher(l).find(), Duration.ofSeconds(60)));
            assertThat(url.find()).isTrue();
            int port = Integer.parseInt(url.group(1));
            assertThat(listeners(port)).containsExactly("127.0.0.1");

            workload.call();
            String pid = "pid=\"" + workload.pid() + "\"";
            String calls35 = scrapeUntil(url.group(), l -> l.startsWith("aiscope_cuda_calls_total{") && l.contains(pid)
                    && l.contains("function=\"cudaMalloc\"") && l.contains("result=\"error_35\"") && value(l) == calls);
            assertThat(calls35).contains("comm=\"cuda_mallocs\"");

            String metrics = scrape(url.group());
            Set<String> loaded = new TreeSet<>();
            metrics.lines().map(LOADED::matcher).filter(Matcher::matches).forEach(m -> loaded.add(m.group(1)));
            assertThat(loaded).contains("proc", "cuda");
            assertThat(metrics).contains("aiscope_agent_events_total ", "aiscope_agent_undecodable_events_total ")
                    .containsPattern("(?m)^aiscope_agent_probed_libraries [1-9]");
            if (loaded.contains("sched")) {
                // The sched family's aggregates are read from the kernel once a second.
                scrapeUntil(url.group(), l -> l.startsWith("aiscope_runqueue_latency_seconds_count{") && l.contains(pid));
                assertThat(scrape(url.group())).contains("# TYPE aiscope_context_switches_total counter");
            }
            if (loaded.contains("tcp")) {
                assertThat(metrics).containsPattern("(?m)^aiscope_tcp_\\w+");
            }

            serve.signal("TERM");
            assertThat(serve.awaitExit(Duration.ofSeconds(60))).isZero();
        }
    }

    private String scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** Scrapes until a line matches (events are read asynchronously); returns it. */
    private String scrapeUntil(String url, Predicate<String> wanted) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String last;
        do {
            last = scrape(url);
            Optional<String> line = last.lines().filter(wanted).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no such metric line in:\n" + last);
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    /** The local addresses of the TCP sockets listening on {@code port}, IPv4 or IPv6 (v4-mapped shown as v4). */
    private static List<String> listeners(int port) throws IOException {
        List<String> addresses = new ArrayList<>();
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.strip().split("\\s+");
                if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                    addresses.add(address(f[1].substring(0, f[1].indexOf(':'))));
                }
            }
        }
        return addresses;
    }

    private static String address(String hex) {
        if (hex.length() == 32 && hex.startsWith("0000000000000000FFFF0000")) {
            hex = hex.substring(24); // ::ffff:a.b.c.d
        }
        if (hex.length() == 8) { // little-endian IPv4
            return Integer.parseInt(hex.substring(6, 8), 16) + "." + Integer.parseInt(hex.substring(4, 6), 16) + "."
                    + Integer.parseInt(hex.substring(2, 4), 16) + "." + Integer.parseInt(hex.substring(0, 2), 16);
        }
        return hex;
    }
}
