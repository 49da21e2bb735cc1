package io.aiscope.probe.http;

import io.aiscope.testing.LiveCommand;
import io.aiscope.testing.ModelServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code aiscope serve} on the model server: request and LLM histograms hold every request the client made. */
@Tag("kernel")
class HttpMetricsKernelTest {
    private static final Pattern URL = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/metrics");
    private static final int STREAMS = 5, MAX_TOKENS = 12;

    @Test
    void requestDurationsAndTokenMetricsCountEveryRequest() throws Exception {
        try (ModelServer server = new ModelServer();
             LiveCommand serve = new LiveCommand("serve", "-p", Integer.toString(server.pid()), "--probes", "http",
                     "--listen", "127.0.0.1:0")) {
            Matcher url = URL.matcher(serve.awaitStderr(l -> URL.matcher(l).find(), Duration.ofSeconds(60)));
            assertThat(url.find()).isTrue();
            Process client = new ProcessBuilder(server.client("stream", "--requests", Integer.toString(STREAMS),
                    "--max-tokens", Integer.toString(MAX_TOKENS), "--out", "/dev/null")).redirectErrorStream(true).start();
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as(new String(client.getInputStream().readAllBytes())).isZero();

            String route = "http_route=\"/v1/chat/completions\"";
            String count = scrapeUntil(url.group(), l -> l.startsWith("http_server_request_duration_seconds_count{")
                    && l.contains(route) && value(l) == STREAMS);
            assertThat(count).contains("http_request_method=\"POST\"", "http_response_status_code=\"200\"",
                    "pid=\"" + server.pid() + "\"");
            String metrics = scrape(url.group());
            assertThat(line(metrics, "aiscope_llm_time_to_first_token_seconds_count{", route)).contains("gen_ai_request_model=\"tiny-lm\"");
            assertThat(value(line(metrics, "aiscope_llm_time_to_first_token_seconds_count{", route))).isEqualTo(STREAMS);
            assertThat(value(line(metrics, "aiscope_llm_time_per_output_token_seconds_count{", route))).isEqualTo(STREAMS);
            assertThat(value(line(metrics, "aiscope_llm_output_tokens_total{", route))).isEqualTo(STREAMS * MAX_TOKENS);
        }
    }

    private static String line(String metrics, String prefix, String label) {
        return metrics.lines().filter(l -> l.startsWith(prefix) && l.contains(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " line with " + label + " in\n" + metrics));
    }

    private static String scrape(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    /** Requests are correlated a moment after they end: scrape until the line is there. */
    private static String scrapeUntil(String url, java.util.function.Predicate<String> wanted) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<String> lines = scrape(url).lines().filter(wanted).toList();
            if (!lines.isEmpty() || System.nanoTime() > deadline) {
                assertThat(lines).as("metrics").isNotEmpty();
                return lines.getFirst();
            }
            Thread.sleep(100);
        }
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
