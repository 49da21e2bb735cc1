package io.aiscope.output.otlp;

import io.aiscope.probe.http.RequestPhase;
import io.aiscope.testing.OtlpReceiver;
import io.aiscope.correlate.Decomposition;
import io.aiscope.probe.http.HttpExchange.Outcome;
import io.aiscope.probe.http.HttpExchange.Role;
import io.aiscope.probe.http.LlmCall;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.aiscope.output.otlp.Exchanges.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

@Tag("unit")
class OtlpRequestExporterTest {
    /** A fixed monotonic-to-epoch offset, so that every timestamp can be asserted exactly. */
    private static final long OFFSET = 1_767_225_600_000_000_000L;
    private static final OtlpRequestExporter.Settings FAST =
            new OtlpRequestExporter.Settings(4096, 512, Duration.ofMillis(50), Duration.ofSeconds(1),
                    Duration.ofSeconds(5));

    private final OtlpReceiver receiver = new OtlpReceiver();

    OtlpRequestExporterTest() throws IOException {
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void streamedChatCompletionIsOneTraceWithPhasesTokensAndAttributes() throws IOException {
        Exchanges chat = Exchanges.streamedChat();
        chat.tls = true;
        OtlpRequestExporter exporter = exporter(receiver.baseUrl(), null);
        exporter.export(chat.request(7), "vllm-server");
        exporter.close();

        List<OtlpReceiver.Received> spans = receiver.spans();
        assertThat(spans).hasSize(5);
        assertThat(receiver.contentEncodings()).containsOnly("gzip");
        OtlpReceiver.Received request = only(spans, "POST /v1/chat/completions");
        Span span = request.span();
        assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(span.getParentSpanId().isEmpty()).isTrue();
        assertThat(span.getStartTimeUnixNano()).isEqualTo(OFFSET + chat.startNs);
        assertThat(span.getEndTimeUnixNano()).isEqualTo(OFFSET + chat.endNs);
        assertThat(span.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);
        assertThat(request.scope()).isEqualTo("aiscope");

        Map<String, AnyValue> resource = request.resourceAttributes();
        assertThat(resource.get("service.name").getStringValue()).isEqualTo("vllm-server");
        assertThat(resource.get("process.pid").getIntValue()).isEqualTo(4242);
        assertThat(resource.get("host.name").getStringValue())
                .isEqualTo(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip());
        assertThat(resource.get("telemetry.sdk.language").getStringValue()).isEqualTo("java");
        assertThat(resource.get("telemetry.sdk.name").getStringValue()).isEqualTo("opentelemetry");
        assertThat(resource.get("telemetry.sdk.version").getStringValue()).isNotEmpty();

        Map<String, AnyValue> a = request.attributes();
        assertThat(a.keySet()).containsExactlyInAnyOrder("http.request.method", "url.path", "http.route",
                "http.response.status_code", "network.protocol.name", "network.protocol.version", "http.request.size",
                "http.response.size", "thread.id", "aiscope.token.count", "gen_ai.provider.name",
                "gen_ai.operation.name", "gen_ai.request.model", "gen_ai.request.stream", "gen_ai.request.max_tokens",
                "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.response.time_to_first_chunk",
                "aiscope.request.id", "aiscope.ttft_ms", "aiscope.attribution", "aiscope.runqueue_ms",
                "aiscope.on_cpu_ms", "aiscope.off_cpu_ms", "aiscope.cuda.calls", "aiscope.cuda.launches",
                "aiscope.cuda.copy_bytes", "aiscope.cuda.sync_ms", "aiscope.tcp.retransmits", "url.scheme",
                "gen_ai.response.model");
        assertString(a, "http.request.method", "POST");
        assertString(a, "gen_ai.response.model", "llama-3-8b");
        assertString(a, "url.scheme", "https");
        assertString(a, "url.path", "/v1/chat/completions");
        assertString(a, "http.route", "/v1/chat/completions");
        assertInt(a, "http.response.status_code", 200);
        assertString(a, "network.protocol.name", "http");
        assertString(a, "network.protocol.version", "1.1");
        assertInt(a, "http.request.size", 512);
        assertInt(a, "http.response.size", 4096);
        assertInt(a, "thread.id", 4243);
        assertInt(a, "aiscope.token.count", 10);
        assertString(a, "gen_ai.provider.name", "openai");
        assertString(a, "gen_ai.operation.name", "chat");
        assertString(a, "gen_ai.request.model", "llama-3-8b");
        assertThat(a.get("gen_ai.request.stream").getBoolValue()).isTrue();
        assertInt(a, "gen_ai.request.max_tokens", 128);
        assertInt(a, "gen_ai.usage.input_tokens", 12);
        assertInt(a, "gen_ai.usage.output_tokens", 10);
        assertDouble(a, "gen_ai.response.time_to_first_chunk", 0.080);
        assertInt(a, "aiscope.request.id", 7);
        assertDouble(a, "aiscope.ttft_ms", 80.0);
        assertString(a, "aiscope.attribution", "thread");
        assertDouble(a, "aiscope.runqueue_ms", 2.5);
        assertDouble(a, "aiscope.on_cpu_ms", 300.0);
        assertDouble(a, "aiscope.off_cpu_ms", 197.5);
        assertInt(a, "aiscope.cuda.calls", 40);
        assertInt(a, "aiscope.cuda.launches", 30);
        assertInt(a, "aiscope.cuda.copy_bytes", 1 << 20);
        assertDouble(a, "aiscope.cuda.sync_ms", 12.0);
        assertInt(a, "aiscope.tcp.retransmits", 1);

        assertThat(span.getEventsList()).hasSize(10);
        for (int i = 0; i < 10; i++) {
            Span.Event event = span.getEvents(i);
            assertThat(event.getName()).isEqualTo("token");
            assertThat(event.getTimeUnixNano()).isEqualTo(OFFSET + chat.tokenNs[i]);
            assertInt(OtlpReceiver.attributes(event.getAttributesList()), "aiscope.token.index", i);
        }

        assertPhases(spans, request, chat, List.of(
                new RequestPhase("receive", chat.startNs, chat.requestEndNs),
                new RequestPhase("process", chat.requestEndNs, chat.responseStartNs),
                new RequestPhase("first token", chat.responseStartNs, chat.firstBodyNs),
                new RequestPhase("stream", chat.firstBodyNs, chat.endNs)));
        assertThat(exporter.stats()).isEqualTo(new OtlpExportStats(5, 5, 0, 0, null));
    }

    @Test
    void nonStreamedRequestHasASendPhaseAndNoTokens() {
        Exchanges embeddings = new Exchanges();
        embeddings.method = "POST";
        embeddings.path = embeddings.route = "/v1/embeddings";
        embeddings.llm = new LlmCall("openai", "embeddings", "bge-small", null, null, "bge-small", 8, null, false, 0, 0,
                null, null, null);

        List<OtlpReceiver.Received> spans = exportAll(List.of(embeddings));

        OtlpReceiver.Received request = only(spans, "POST /v1/embeddings");
        Map<String, AnyValue> a = request.attributes();
        assertString(a, "gen_ai.operation.name", "embeddings");
        assertInt(a, "gen_ai.usage.input_tokens", 8);
        assertThat(a).doesNotContainKeys("gen_ai.request.stream", "gen_ai.request.max_tokens",
                "gen_ai.usage.output_tokens", "gen_ai.response.time_to_first_chunk", "aiscope.ttft_ms",
                "aiscope.token.count", "error.type");
        assertThat(request.span().getEventsList()).isEmpty();
        assertPhases(spans, request, embeddings, List.of(
                new RequestPhase("receive", embeddings.startNs, embeddings.requestEndNs),
                new RequestPhase("process", embeddings.requestEndNs, embeddings.responseStartNs),
                new RequestPhase("send", embeddings.responseStartNs, embeddings.endNs)));
    }

    @Test
    void serverErrorIsAnErrorSpanWithTheStatusAsErrorType() {
        Exchanges failing = new Exchanges();
        failing.status = 500;

        Span span = only(exportAll(List.of(failing)), "GET /health").span();

        assertThat(span.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(span.getStatus().getMessage()).isEmpty();
        assertString(OtlpReceiver.attributes(span.getAttributesList()), "error.type", "500");
    }

    @Test
    void clientSpanUsesClientConventionsAndCounts4xxAsError() {
        Exchanges client = new Exchanges();
        client.role = Role.CLIENT;
        client.path = "/v1/models/llama";
        client.route = "/v1/models/{id}";
        client.status = 404;
        Exchanges served404 = new Exchanges();
        served404.status = 404;

        List<OtlpReceiver.Received> spans = exportAll(List.of(client, served404));

        OtlpReceiver.Received request = only(spans, "GET /v1/models/{id}");
        assertThat(request.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
        assertThat(request.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        Map<String, AnyValue> a = request.attributes();
        assertString(a, "url.template", "/v1/models/{id}");
        assertString(a, "url.path", "/v1/models/llama");
        assertString(a, "error.type", "404");
        assertThat(a).doesNotContainKey("http.route");
        assertPhases(spans, request, client, List.of(
                new RequestPhase("send", client.startNs, client.requestEndNs),
                new RequestPhase("wait", client.requestEndNs, client.responseStartNs),
                new RequestPhase("receive", client.responseStartNs, client.endNs)));
        // A server answering 404 did its job: not an error on its side.
        Span server = only(spans, "GET /health").span();
        assertThat(server.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);
        assertThat(OtlpReceiver.attributes(server.getAttributesList())).doesNotContainKey("error.type");
    }

    @Test
    void responseCutShortIsAnErrorAndItsLastPhaseRunsToTheEnd() {
        Exchanges aborted = Exchanges.streamedChat();
        aborted.firstBodyNs = 0;
        aborted.tokenNs = new long[0];
        aborted.endNs = aborted.responseStartNs + 5 * MS;
        aborted.outcome = Outcome.ABORTED;
        Exchanges closed = new Exchanges();
        closed.path = closed.route = "/slow";
        closed.status = 0;
        closed.responseStartNs = 0;
        closed.endNs = closed.requestEndNs + 30 * MS;
        closed.outcome = Outcome.CLOSED;

        List<OtlpReceiver.Received> spans = exportAll(List.of(aborted, closed));

        OtlpReceiver.Received cut = only(spans, "POST /v1/chat/completions");
        assertThat(cut.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(cut.span().getStatus().getMessage()).contains("went away");
        assertString(cut.attributes(), "error.type", "aborted");
        assertThat(cut.attributes()).doesNotContainKeys("aiscope.ttft_ms", "gen_ai.response.time_to_first_chunk");
        // No first body byte: the response was only a head, sent until the peer went away.
        assertPhases(spans, cut, aborted, List.of(
                new RequestPhase("receive", aborted.startNs, aborted.requestEndNs),
                new RequestPhase("process", aborted.requestEndNs, aborted.responseStartNs),
                new RequestPhase("send", aborted.responseStartNs, aborted.endNs)));

        OtlpReceiver.Received noResponse = only(spans, "GET /slow");
        assertThat(noResponse.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(noResponse.span().getStatus().getMessage()).contains("closed");
        assertString(noResponse.attributes(), "error.type", "closed");
        assertThat(noResponse.attributes()).doesNotContainKey("http.response.status_code");
        // No response at all: the server was still at work when it closed the connection.
        assertPhases(spans, noResponse, closed, List.of(
                new RequestPhase("receive", closed.startNs, closed.requestEndNs),
                new RequestPhase("process", closed.requestEndNs, closed.endNs)));
    }

    @Test
    void phasesStayInsideTheRequestWhenThreadsDisagreeOnTheTime() {
        Exchanges skewed = Exchanges.streamedChat();
        skewed.tids = new int[] {4243, 4250};
        skewed.firstBodyNs = skewed.endNs + 3_000;

        List<OtlpReceiver.Received> spans = exportAll(List.of(skewed));

        OtlpReceiver.Received request = only(spans, "POST /v1/chat/completions");
        assertPhases(spans, request, skewed, List.of(
                new RequestPhase("receive", skewed.startNs, skewed.requestEndNs),
                new RequestPhase("process", skewed.requestEndNs, skewed.responseStartNs),
                new RequestPhase("first token", skewed.responseStartNs, skewed.endNs)));
    }

    @Test
    void handOffBetweenThreadsLeavesOutWhatProcessWideCountersCannotTell() {
        Exchanges handOff = new Exchanges();
        handOff.tids = new int[] {4243, 4250};
        handOff.decomposition = new Decomposition(Decomposition.Attribution.PROCESS_WINDOW, 4 * MS, -1, -1,
                3, 2, 4096, MS, 0);

        Map<String, AnyValue> a = only(exportAll(List.of(handOff)), "GET /health").attributes();

        assertString(a, "aiscope.attribution", "process-window");
        assertDouble(a, "aiscope.runqueue_ms", 4.0);
        assertThat(a).doesNotContainKeys("aiscope.on_cpu_ms", "aiscope.off_cpu_ms");
        assertInt(a, "aiscope.cuda.launches", 2);
        assertInt(a, "thread.id", 4243);
    }

    @Test
    void longStreamsKeepTheFirstThousandTokenEventsAndCountTheRest() {
        Exchanges longStream = Exchanges.streamedChat();
        longStream.tokenNs = new long[1500];
        for (int i = 0; i < longStream.tokenNs.length; i++) {
            longStream.tokenNs[i] = longStream.firstBodyNs + i * 100_000L;
        }
        longStream.endNs = longStream.tokenNs[1499] + MS;

        Span span = only(exportAll(List.of(longStream)), "POST /v1/chat/completions").span();

        assertThat(span.getEventsList()).hasSize(1000);
        assertThat(span.getDroppedEventsCount()).isZero();
        assertThat(span.getEvents(999).getTimeUnixNano()).isEqualTo(OFFSET + longStream.tokenNs[999]);
        Map<String, AnyValue> a = OtlpReceiver.attributes(span.getAttributesList());
        assertInt(a, "aiscope.token.count", 1500);
        assertInt(a, "aiscope.token.events_omitted", 500);
    }

    @Test
    void eachProcessIsItsOwnResourceUnlessAServiceNameIsGiven() {
        Exchanges first = new Exchanges();
        Exchanges second = new Exchanges();
        second.pid = 5151;
        second.path = second.route = "/ready";

        List<OtlpReceiver.Received> spans = exportAll(List.of(first, second));
        assertThat(only(spans, "GET /health").resourceAttributes().get("process.pid").getIntValue()).isEqualTo(4242);
        assertThat(only(spans, "GET /ready").resourceAttributes().get("process.pid").getIntValue()).isEqualTo(5151);
        assertThat(only(spans, "GET /ready").resourceAttributes().get("service.name").getStringValue())
                .isEqualTo("proc-5151");

        try (OtlpRequestExporter named = exporter(receiver.baseUrl(), "inference-gateway")) {
            named.export(first.request(1), "python3");
        }
        assertThat(receiver.spans()).filteredOn(s -> s.resourceAttributes().get("service.name").getStringValue()
                .equals("inference-gateway")).isNotEmpty();
    }

    @Test
    void unreachableReceiverNeitherBlocksNorThrowsAndEveryFailureIsCounted() throws IOException {
        OtlpRequestExporter exporter = exporter("http://127.0.0.1:" + closedPort(), null);
        long started = System.nanoTime();
        // 500 spans: one batch, so that its failure is known within the close timeout.
        for (int i = 0; i < 100; i++) {
            exporter.export(Exchanges.streamedChat().request(i), "vllm-server");
        }
        long exporting = System.nanoTime() - started;
        exporter.close();
        long closing = System.nanoTime() - started - exporting;

        // One export attempt with its retries takes FAST's timeout (1 s): none of it may fall on the caller.
        assertThat(Duration.ofNanos(exporting)).isLessThan(FAST.exportTimeout());
        assertThat(Duration.ofNanos(closing)).isLessThan(FAST.closeTimeout().plusSeconds(1));
        OtlpExportStats stats = exporter.stats();
        assertThat(stats.spans()).isEqualTo(100 * 5);
        assertThat(stats.exported()).isZero();
        assertThat(stats.failed()).isEqualTo(stats.spans());
        assertThat(stats.pending()).isZero();
        assertThat(stats.lastError()).contains("Failed to export spans", "java.net.ConnectException");
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfWaiting() throws IOException {
        OtlpRequestExporter.Settings tiny = new OtlpRequestExporter.Settings(8, 4, Duration.ofSeconds(10),
                Duration.ofMillis(300), Duration.ofSeconds(5));
        OtlpRequestExporter exporter = new OtlpRequestExporter(
                OtlpEndpoint.parse("http://127.0.0.1:" + closedPort()), null, new EpochClock(OFFSET), tiny);
        for (int i = 0; i < 20; i++) {
            exporter.export(Exchanges.streamedChat().request(i), "vllm-server");
        }
        OtlpExportStats whileRunning = exporter.stats();
        exporter.close();
        OtlpExportStats stats = exporter.stats();

        assertThat(whileRunning.spans()).isEqualTo(100);
        // At most the queue (8) and the batch being sent (4) can have been taken in.
        assertThat(whileRunning.dropped()).isGreaterThanOrEqualTo(100 - 8 - 4);
        assertThat(stats.exported()).isZero();
        assertThat(stats.dropped() + stats.failed() + stats.pending()).isEqualTo(100);
    }

    @Test
    void refusedExportsAreCountedWithTheReceiversAnswer() {
        receiver.refuseWith(400);
        OtlpRequestExporter exporter = exporter(receiver.baseUrl(), null);
        exporter.export(new Exchanges().request(1), "app");
        exporter.close();

        OtlpExportStats stats = exporter.stats();
        assertThat(stats.failed()).isEqualTo(4);
        assertThat(stats.exported()).isZero();
        assertThat(stats.lastError()).contains("400");
    }

    @Test
    void requestsAfterCloseAreDroppedQuietly() {
        OtlpRequestExporter exporter = exporter(receiver.baseUrl(), null);
        exporter.close();
        exporter.export(new Exchanges().request(1), "app");

        assertThat(exporter.stats()).isEqualTo(new OtlpExportStats(4, 0, 0, 4, null));
        assertThat(receiver.spans()).isEmpty();
    }

    private OtlpRequestExporter exporter(String url, String serviceName) {
        return new OtlpRequestExporter(OtlpEndpoint.parse(url), serviceName, new EpochClock(OFFSET), FAST);
    }

    private List<OtlpReceiver.Received> exportAll(List<Exchanges> exchanges) {
        try (OtlpRequestExporter exporter = exporter(receiver.baseUrl(), null)) {
            for (int i = 0; i < exchanges.size(); i++) {
                exporter.export(exchanges.get(i).request(i), "proc-" + exchanges.get(i).pid);
            }
        }
        return receiver.spans();
    }

    private static OtlpReceiver.Received only(List<OtlpReceiver.Received> spans, String name) {
        List<OtlpReceiver.Received> named = spans.stream().filter(s -> s.span().getName().equals(name)).toList();
        assertThat(named).as("spans named %s", name).hasSize(1);
        return named.getFirst();
    }

    /** The request's children are exactly {@code phases}: same trace, its span as parent, times moved by OFFSET. */
    private static void assertPhases(List<OtlpReceiver.Received> spans, OtlpReceiver.Received request,
                                     Exchanges exchange, List<RequestPhase> phases) {
        Span parent = request.span();
        List<Span> children = spans.stream().map(OtlpReceiver.Received::span)
                .filter(s -> s.getParentSpanId().equals(parent.getSpanId())).toList();
        assertThat(children).hasSize(phases.size());
        for (RequestPhase phase : phases) {
            Span child = children.stream().filter(s -> s.getName().equals(phase.name())).findFirst().orElseThrow();
            assertThat(child.getTraceId()).isEqualTo(parent.getTraceId());
            assertThat(child.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_INTERNAL);
            assertThat(child.getStartTimeUnixNano()).isEqualTo(OFFSET + phase.startNs());
            assertThat(child.getEndTimeUnixNano()).isEqualTo(OFFSET + phase.endNs());
            assertThat(child.getStartTimeUnixNano()).isBetween(parent.getStartTimeUnixNano(), parent.getEndTimeUnixNano());
            assertThat(child.getEndTimeUnixNano()).isBetween(parent.getStartTimeUnixNano(), parent.getEndTimeUnixNano());
        }
        assertThat(parent.getEndTimeUnixNano()).isEqualTo(OFFSET + exchange.endNs);
        assertThat(spans.stream().filter(s -> s.span().getTraceId().equals(parent.getTraceId())))
                .hasSize(1 + phases.size());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void assertString(Map<String, AnyValue> a, String key, String value) {
        assertThat(a.get(key)).as(key).isNotNull();
        assertThat(a.get(key).getValueCase()).as(key).isEqualTo(AnyValue.ValueCase.STRING_VALUE);
        assertThat(a.get(key).getStringValue()).as(key).isEqualTo(value);
    }

    private static void assertInt(Map<String, AnyValue> a, String key, long value) {
        assertThat(a.get(key)).as(key).isNotNull();
        assertThat(a.get(key).getValueCase()).as(key).isEqualTo(AnyValue.ValueCase.INT_VALUE);
        assertThat(a.get(key).getIntValue()).as(key).isEqualTo(value);
    }

    private static void assertDouble(Map<String, AnyValue> a, String key, double value) {
        assertThat(a.get(key)).as(key).isNotNull();
        assertThat(a.get(key).getValueCase()).as(key).isEqualTo(AnyValue.ValueCase.DOUBLE_VALUE);
        assertThat(a.get(key).getDoubleValue()).as(key).isCloseTo(value, offset(1e-9));
    }
}
