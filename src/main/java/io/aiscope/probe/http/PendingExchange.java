package io.aiscope.probe.http;

import java.util.Arrays;

/** An exchange being seen: what its request and response moved so far, until it becomes an {@link HttpExchange}. */
final class PendingExchange {
    /** Token times kept per exchange; a longer stream's later tokens are not timed. */
    static final int MAX_TOKENS = 1 << 16;
    private static final long[] NO_TOKENS = {};

    final long startNs;
    final int startTid;
    final ThreadClock startClock;
    String method;
    String host;
    String path;
    String route;
    long requestBytes;
    long requestEndNs;

    int status;
    long responseStartNs;
    long firstBodyNs;
    long responseBytes;
    boolean streaming;
    private long endNs;
    private int endTid;
    private ThreadClock endClock;
    private long[] tokens = NO_TOKENS;
    private int tokenCount;
    private int[] tids = new int[2];
    private int tidCount;

    /** Non-null for LLM API endpoints. */
    private LlmEndpoint endpoint;
    private int captureBytes;
    private LlmRequest llmRequest;
    private LlmResponse llmResponse;
    private JsonBody requestBody;
    private JsonBody responseBody;
    private SseEvents events;

    PendingExchange(SocketIo first) {
        startNs = first.tsNs();
        startTid = first.tid();
        startClock = first.clock();
        endTid = startTid;
        endClock = startClock;
        tid(startTid);
    }

    /** {@code n} bytes of the request moved in {@code io}. */
    void request(SocketIo io, long n) {
        requestBytes += n;
        requestEndNs = io.tsNs();
        moved(io);
    }

    /** {@code n} bytes of the response moved in {@code io}; {@code body}: after its head. */
    void response(SocketIo io, long n, boolean body) {
        responseBytes += n;
        if (body && firstBodyNs == 0) {
            firstBodyNs = io.tsNs();
        }
        endNs = io.tsNs();
        moved(io);
    }

    /** The exchange ends at {@code io} without all of its response: a failed call, the peer's end of stream. */
    void cutAt(SocketIo io) {
        endNs = io.tsNs();
        moved(io);
    }

    private void moved(SocketIo io) {
        endTid = io.tid();
        endClock = io.clock();
        tid(io.tid());
    }

    private void tid(int tid) {
        for (int i = 0; i < tidCount; i++) {
            if (tids[i] == tid) {
                return;
            }
        }
        if (tidCount == tids.length) {
            tids = Arrays.copyOf(tids, tidCount * 2);
        }
        tids[tidCount++] = tid;
    }

    void token(long tsNs) {
        if (tokenCount == tokens.length) {
            if (tokenCount == MAX_TOKENS) {
                return;
            }
            tokens = Arrays.copyOf(tokens, Math.min(MAX_TOKENS, Math.max(16, tokenCount * 2)));
        }
        tokens[tokenCount++] = tsNs;
    }

    /**
     * @param readBody     the body is JSON as sent (not content-encoded)
     * @param captureBytes prompt and completion text to keep, in UTF-8 bytes each; 0 keeps none
     */
    void llm(LlmEndpoint endpoint, boolean readBody, int captureBytes) {
        this.endpoint = endpoint;
        this.captureBytes = captureBytes;
        llmRequest = new LlmRequest(captureBytes);
        if (readBody) {
            requestBody = new JsonBody(llmRequest.json());
        }
    }

    void requestData(byte[] b, int off, int len) {
        if (requestBody != null) {
            requestBody.data(b, off, len);
        }
    }

    void requestGap() {
        if (requestBody != null) {
            requestBody.gap();
        }
    }

    /** The request body is over (or will not be seen further): read what its tail holds. */
    void requestDone() {
        if (requestBody != null) {
            requestBody.finish();
            requestBody = null;
        }
    }

    /**
     * Sets up reading of the response body. SSE is decoded when the body is not content-encoded; the fields of
     * LLM API responses are read from its JSON, or from its events' JSON.
     */
    void responseHead(HttpHead head, boolean hasBody) {
        status = head.status;
        streaming = hasBody && (head.chunked || head.eventStream);
        boolean sse = head.eventStream && !head.encoded;
        if (endpoint != null) {
            llmResponse = new LlmResponse(captureBytes, sse);
        }
        if (sse) {
            events = new SseEvents(this::token, llmResponse);
        } else if (llmResponse != null && !head.encoded) {
            responseBody = new JsonBody(llmResponse.json());
        }
    }

    void responseData(byte[] b, int off, int len, long tsNs) {
        if (events != null) {
            events.feed(b, off, len, tsNs);
        } else if (responseBody != null) {
            responseBody.data(b, off, len);
        }
    }

    void responseGap() {
        if (events != null) {
            events.gap();
        } else if (responseBody != null) {
            responseBody.gap();
        }
    }

    /** A chunk with data ended: a token of a stream that is not SSE. */
    void chunk(long tsNs) {
        if (streaming && events == null) {
            token(tsNs);
        }
    }

    HttpExchange build(HttpExchange.Role role, int pid, long sock, HttpExchange.Outcome outcome, long endAtNs) {
        requestDone();
        if (responseBody != null) {
            responseBody.finish();
            responseBody = null;
        }
        int[] sorted = Arrays.copyOf(tids, tidCount);
        if (tidCount > 1) {
            Arrays.sort(sorted);
        }
        return new HttpExchange(role, pid, sock, method, host, path, route, status, requestBytes, responseBytes,
                startNs, requestEndNs, responseStartNs, firstBodyNs, endAtNs > 0 ? endAtNs : endNs,
                Arrays.copyOf(tokens, tokenCount), streaming, llmCall(), outcome, startTid, endTid, sorted,
                startClock, endClock);
    }

    private LlmCall llmCall() {
        if (endpoint == null) {
            return null;
        }
        LlmRequest q = llmRequest;
        LlmResponse r = llmResponse;
        if (r == null) {
            return new LlmCall(endpoint.api, endpoint.operation, q.model, q.stream, q.maxTokens(), null, null, null,
                    false, 0, 0, null, q.promptText(), null);
        }
        return new LlmCall(endpoint.api, endpoint.operation, q.model, q.stream, q.maxTokens(), r.model,
                r.inputTokens, r.outputTokens(), r.outputTokensCounted(), r.contentEvents, r.firstContentNs,
                r.errorType, q.promptText(), r.completionText());
    }
}
