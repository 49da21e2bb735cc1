package io.aiscope.output.otlp;

import io.aiscope.correlate.Decomposition;
import io.aiscope.correlate.TracedRequest;
import io.aiscope.probe.http.HttpExchange;
import io.aiscope.probe.http.LlmCall;
import io.aiscope.agents.Providers;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;

import java.util.Set;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;

/**
 * A request span's attributes: the OpenTelemetry HTTP semantic conventions, the GenAI ones (semantic-conventions-
 * genai registry: {@code gen_ai.provider.name}, which replaced {@code gen_ai.system}) for LLM API calls,
 * and aiscope's own decomposition under {@code aiscope.*}. Nothing read from bodies goes out but the model name
 * and the token counts: no prompt, no completion, no query string.
 */
final class RequestAttributes {
    static final AttributeKey<String> HTTP_METHOD = stringKey("http.request.method");
    static final AttributeKey<String> HTTP_METHOD_ORIGINAL = stringKey("http.request.method_original");
    static final AttributeKey<String> URL_PATH = stringKey("url.path");
    static final AttributeKey<String> HTTP_ROUTE = stringKey("http.route");
    static final AttributeKey<String> URL_TEMPLATE = stringKey("url.template");
    static final AttributeKey<Long> HTTP_STATUS = longKey("http.response.status_code");
    static final AttributeKey<String> PROTOCOL_NAME = stringKey("network.protocol.name");
    static final AttributeKey<String> URL_SCHEME = stringKey("url.scheme");
    static final AttributeKey<String> PROTOCOL_VERSION = stringKey("network.protocol.version");
    static final AttributeKey<Long> REQUEST_SIZE = longKey("http.request.size");
    static final AttributeKey<Long> RESPONSE_SIZE = longKey("http.response.size");
    static final AttributeKey<String> ERROR_TYPE = stringKey("error.type");
    static final AttributeKey<Long> THREAD_ID = longKey("thread.id");

    static final AttributeKey<String> GEN_AI_PROVIDER = stringKey("gen_ai.provider.name");
    static final AttributeKey<String> GEN_AI_OPERATION = stringKey("gen_ai.operation.name");
    static final AttributeKey<String> GEN_AI_MODEL = stringKey("gen_ai.request.model");
    static final AttributeKey<String> GEN_AI_RESPONSE_MODEL = stringKey("gen_ai.response.model");
    /** The API's own error type (e.g. rate_limit_exceeded), beside error.type's status code. */
    static final AttributeKey<String> GEN_AI_ERROR_TYPE = stringKey("aiscope.gen_ai.error_type");
    static final AttributeKey<Long> GEN_AI_MAX_TOKENS = longKey("gen_ai.request.max_tokens");
    static final AttributeKey<Boolean> GEN_AI_STREAM = booleanKey("gen_ai.request.stream");
    static final AttributeKey<Long> GEN_AI_INPUT_TOKENS = longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> GEN_AI_OUTPUT_TOKENS = longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<Double> GEN_AI_TIME_TO_FIRST_CHUNK = doubleKey("gen_ai.response.time_to_first_chunk");

    static final AttributeKey<Long> REQUEST_ID = longKey("aiscope.request.id");
    static final AttributeKey<Double> TTFT_MS = doubleKey("aiscope.ttft_ms");
    static final AttributeKey<String> ATTRIBUTION = stringKey("aiscope.attribution");
    static final AttributeKey<Double> RUNQUEUE_MS = doubleKey("aiscope.runqueue_ms");
    static final AttributeKey<Double> ON_CPU_MS = doubleKey("aiscope.on_cpu_ms");
    static final AttributeKey<Double> OFF_CPU_MS = doubleKey("aiscope.off_cpu_ms");
    static final AttributeKey<Long> CUDA_CALLS = longKey("aiscope.cuda.calls");
    static final AttributeKey<Long> CUDA_LAUNCHES = longKey("aiscope.cuda.launches");
    static final AttributeKey<Long> CUDA_COPY_BYTES = longKey("aiscope.cuda.copy_bytes");
    static final AttributeKey<Double> CUDA_SYNC_MS = doubleKey("aiscope.cuda.sync_ms");
    static final AttributeKey<Long> RETRANSMITS = longKey("aiscope.tcp.retransmits");
    static final AttributeKey<Long> TOKEN_COUNT = longKey("aiscope.token.count");
    static final AttributeKey<Long> TOKEN_EVENTS_OMITTED = longKey("aiscope.token.events_omitted");

    /** The methods the HTTP conventions name; any other is reported as "_OTHER", with the original beside it. */
    private static final Set<String> KNOWN_METHODS =
            Set.of("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE");
    private static final String OTHER_METHOD = "_OTHER";
    private static final double NS_PER_MS = 1e6;
    private static final double NS_PER_S = 1e9;

    private RequestAttributes() {
    }

    /** "{method} {route}", as the HTTP conventions name spans; "HTTP" stands for a method they do not know. */
    static String spanName(HttpExchange x) {
        String method = method(x);
        String name = method.equals(OTHER_METHOD) ? "HTTP" : method;
        return x.route() == null || x.route().isEmpty() ? name : name + " " + x.route();
    }

    static Attributes of(TracedRequest request) {
        HttpExchange x = request.exchange();
        AttributesBuilder a = Attributes.builder();
        http(a, x);
        // https: read from TLS plaintext (the tls family)
        a.put(URL_SCHEME, request.tls() ? "https" : "http");
        if (x.llm() != null) {
            genAi(a, x, x.llm());
        }
        a.put(REQUEST_ID, request.id());
        if (x.ttftNs() >= 0) {
            a.put(TTFT_MS, x.ttftNs() / NS_PER_MS);
        }
        decomposition(a, request.decomposition());
        return a.build();
    }

    /** The low-cardinality reason the request failed, null when it did not. */
    static String errorType(HttpExchange x) {
        int firstError = x.role() == HttpExchange.Role.SERVER ? 500 : 400;
        if (x.status() >= firstError) {
            return Integer.toString(x.status());
        }
        return switch (x.outcome()) {
            case COMPLETE -> null;
            case ABORTED -> "aborted";
            case CLOSED -> "closed";
        };
    }

    private static String method(HttpExchange x) {
        return x.method() != null && KNOWN_METHODS.contains(x.method()) ? x.method() : OTHER_METHOD;
    }

    private static void http(AttributesBuilder a, HttpExchange x) {
        String method = method(x);
        a.put(HTTP_METHOD, method);
        if (method.equals(OTHER_METHOD) && x.method() != null) {
            a.put(HTTP_METHOD_ORIGINAL, x.method());
        }
        if (x.path() != null) {
            a.put(URL_PATH, x.path());
        }
        if (x.route() != null) {
            // http.route is the server's name for the template; clients call it url.template.
            a.put(x.role() == HttpExchange.Role.SERVER ? HTTP_ROUTE : URL_TEMPLATE, x.route());
        }
        if (x.status() > 0) {
            a.put(HTTP_STATUS, x.status());
        }
        a.put(PROTOCOL_NAME, "http");
        a.put(PROTOCOL_VERSION, "1.1");
        a.put(REQUEST_SIZE, x.requestBytes());
        a.put(RESPONSE_SIZE, x.responseBytes());
        String error = errorType(x);
        if (error != null) {
            a.put(ERROR_TYPE, error);
        }
        a.put(THREAD_ID, x.startTid());
        if (x.tokenNs().length > 0) {
            a.put(TOKEN_COUNT, x.tokenNs().length);
        }
        if (x.tokenNs().length > RequestSpans.MAX_TOKEN_EVENTS) {
            a.put(TOKEN_EVENTS_OMITTED, x.tokenNs().length - RequestSpans.MAX_TOKEN_EVENTS);
        }
    }

    private static void genAi(AttributesBuilder a, HttpExchange x, LlmCall call) {
        // A client names the provider it called (by host); a server is the provider, of the API style it speaks.
        a.put(GEN_AI_PROVIDER, x.role() == HttpExchange.Role.CLIENT && x.host() != null ? Providers.of(x.host()) : call.api());
        putIfPresent(a, GEN_AI_OPERATION, call.operation());
        putIfPresent(a, GEN_AI_MODEL, call.model());
        putIfPresent(a, GEN_AI_RESPONSE_MODEL, call.responseModel());
        putIfPresent(a, GEN_AI_ERROR_TYPE, call.errorType());
        putIfPresent(a, GEN_AI_STREAM, call.stream());
        if (call.maxTokens() != null) {
            a.put(GEN_AI_MAX_TOKENS, call.maxTokens().longValue());
        }
        if (call.inputTokens() != null) {
            a.put(GEN_AI_INPUT_TOKENS, call.inputTokens().longValue());
        }
        // Usage is the server's count; events counted from a stream are not tokens.
        if (call.outputTokens() != null && !call.outputTokensCounted()) {
            a.put(GEN_AI_OUTPUT_TOKENS, call.outputTokens().longValue());
        }
        if (x.streaming() && x.ttftNs() >= 0) {
            a.put(GEN_AI_TIME_TO_FIRST_CHUNK, x.ttftNs() / NS_PER_S);
        }
    }

    private static void decomposition(AttributesBuilder a, Decomposition d) {
        a.put(ATTRIBUTION, d.attribution().label());
        a.put(RUNQUEUE_MS, d.runQueueNs() / NS_PER_MS);
        // -1: not measured (PROCESS_WINDOW); an absent attribute says so better than a made-up number.
        if (d.onCpuNs() >= 0) {
            a.put(ON_CPU_MS, d.onCpuNs() / NS_PER_MS);
        }
        if (d.offCpuNs() >= 0) {
            a.put(OFF_CPU_MS, d.offCpuNs() / NS_PER_MS);
        }
        a.put(CUDA_CALLS, d.cudaCalls());
        a.put(CUDA_LAUNCHES, d.cudaLaunches());
        a.put(CUDA_COPY_BYTES, d.cudaCopyBytes());
        a.put(CUDA_SYNC_MS, d.cudaSyncNs() / NS_PER_MS);
        a.put(RETRANSMITS, d.retransmits());
    }

    private static <T> void putIfPresent(AttributesBuilder a, AttributeKey<T> key, T value) {
        if (value != null) {
            a.put(key, value);
        }
    }
}
