package io.aiscope.probe.http;

import io.aiscope.probe.http.HttpExchange.Outcome;
import io.aiscope.probe.http.HttpExchange.Role;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One TCP connection of a traced process, read as HTTP/1.x from its socket calls ({@link #accept}, in the
 * connection's order) and its close ({@link #close}); every exchange seen to its end, or cut short, goes to the
 * sink, in request order. Single-threaded: the event thread alone calls it.
 *
 * <p>The role comes from the first data: a request written by the traced process makes it the client, one read
 * makes it the server. For a connection seen from its start, first data that is not a request means it is not
 * HTTP ({@link State#NOT_HTTP}); from then on every call returns at once. A connection that was open before
 * tracing began may be seen mid-message: it waits, for up to {@value #PROBATION_CALLS} calls carrying data, for a
 * call that begins a request (or a response, which tells the role; that response itself has no request and is
 * skipped). After a 101 response or a successful CONNECT the bytes are another protocol
 * ({@link State#UPGRADED}).
 *
 * <p>Responses are matched to requests in order (HTTP/1.1 pipelining); at most {@value #MAX_PENDING} requests
 * wait for their responses, beyond that requests are not timed ({@link #pipelineOverflows()}), and their responses
 * may then be paired with the wrong requests. A response that turns out malformed is dropped with its request.
 *
 * <p>The peer's end of stream, or a call failing with a connection error, cuts short the exchanges under way
 * ({@link Outcome#ABORTED}, ending at that call), except a response delimited by the end of the connection read
 * by the client, which that end completes. Likewise {@link #close} ends them as {@link Outcome#CLOSED}, at the
 * close, or completes a response delimited by the close. Either way a request whose response never began is
 * reported, with status 0.
 */
public final class HttpConnection {
    public enum State {
        /** No data yet, or (first seen mid-connection) none that shows HTTP yet. */
        UNKNOWN,
        HTTP,
        NOT_HTTP,
        /** Switched to another protocol (101 Switching Protocols, CONNECT tunnel). */
        UPGRADED
    }

    static final int MAX_PENDING = 64;
    static final int PROBATION_CALLS = 64;
    /** The longest method and its space ("OPTIONS "): a shorter first call may be the start of one. */
    private static final int SHORT_START = 8;

    private final int pid;
    private final long sock;
    private final boolean seenFromStart;
    private final RouteTemplates routes;
    private final int captureContentBytes;
    private final Consumer<HttpExchange> sink;
    private final ArrayDeque<PendingExchange> pending = new ArrayDeque<>();
    private final RequestSide requestSide = new RequestSide();
    private final ResponseSide responseSide = new ResponseSide();
    private final MessageReader requests = new MessageReader(true, requestSide);
    private final MessageReader responses = new MessageReader(false, responseSide);
    private State state = State.UNKNOWN;
    private Role role;
    private int probation;
    private long pipelineOverflows;
    /** First calls too short to tell whether they begin a request; null when there are none. */
    private List<SocketIo> deferred;

    /**
     * @param seenFromStart the connection was opened while its process was traced, so its first data is the
     *                      first of the connection
     * @param routes        the process's route templates
     * @param sink          receives the exchanges, on the calling thread
     */
    public HttpConnection(int pid, long sock, boolean seenFromStart, RouteTemplates routes,
            Consumer<HttpExchange> sink) {
        this(pid, sock, seenFromStart, routes, 0, sink);
    }

    /**
     * @param captureContentBytes prompt and completion text of LLM API calls to keep, in UTF-8 bytes each; 0
     *                            keeps none (content may be private: it is captured only when asked for)
     */
    public HttpConnection(int pid, long sock, boolean seenFromStart, RouteTemplates routes, int captureContentBytes,
            Consumer<HttpExchange> sink) {
        this.pid = pid;
        this.sock = sock;
        this.seenFromStart = seenFromStart;
        this.routes = routes;
        this.captureContentBytes = Math.max(0, captureContentBytes);
        this.sink = sink;
    }

    public State state() {
        return state;
    }

    public boolean isHttp() {
        return state == State.HTTP;
    }

    /** Null until known. */
    public Role role() {
        return role;
    }

    /** Messages found malformed (each unsynchronises its direction until a call begins a message). */
    public long parseErrors() {
        return requests.parseErrors() + responses.parseErrors();
    }

    /** Times the bytes a call moved beyond the capture hid a message's head or its framing. */
    public long captureLosses() {
        return requests.captureLosses() + responses.captureLosses();
    }

    /** Requests not timed because {@value #MAX_PENDING} were already waiting for responses. */
    public long pipelineOverflows() {
        return pipelineOverflows;
    }

    /** Whether a request has begun whose exchange has not ended. */
    public boolean inFlight() {
        return !pending.isEmpty();
    }

    public void accept(SocketIo io) {
        if (state == State.NOT_HTTP || state == State.UPGRADED) {
            return;
        }
        if (io.bytes() <= 0) {
            if (state == State.HTTP && connectionEnded(io)) {
                peerEnded(io);
            }
            return;
        }
        if (state == State.UNKNOWN && !identify(io)) {
            return;
        }
        read(io);
    }

    private void read(SocketIo io) {
        (io.inbound() == (role == Role.SERVER) ? requests : responses).accept(io);
    }

    /** The deferred calls' bytes, then the start of {@code head}: enough to see a method. */
    private byte[] afterDeferred(byte[] head) {
        byte[] start = new byte[SHORT_START + Math.min(head.length, SHORT_START)];
        int n = 0;
        for (SocketIo d : deferred) {
            System.arraycopy(d.head(), 0, start, n, d.head().length);
            n += d.head().length;
        }
        int m = Math.min(head.length, SHORT_START);
        System.arraycopy(head, 0, start, n, m);
        return Arrays.copyOf(start, n + m);
    }

    /** The traced process closed the socket: what is under way ends here. */
    public void close(long tsNs) {
        end(tsNs, Outcome.CLOSED);
    }

    /** The kernel tore the connection down on the peer's reset: what is under way was cut short by the peer. */
    public void peerReset(long tsNs) {
        end(tsNs, Outcome.ABORTED);
    }

    private void end(long tsNs, Outcome cut) {
        if (state != State.HTTP) {
            return;
        }
        if (cut == Outcome.CLOSED && responseEndsWithConnection()) {
            emit(pending.removeFirst(), Outcome.COMPLETE, 0);
        }
        while (!pending.isEmpty()) {
            emit(pending.removeFirst(), cut, tsNs);
        }
        reset();
    }

    public int pid() {
        return pid;
    }

    private boolean identify(SocketIo io) {
        if (deferred != null && deferred.getFirst().inbound() != io.inbound()) {
            deferred = null;
            if (seenFromStart) {
                state = State.NOT_HTTP;
                return false;
            }
        }
        byte[] h = deferred == null ? io.head() : afterDeferred(io.head());
        if (HttpHead.methodAt(h, 0, h.length) != null) {
            role = io.inbound() ? Role.SERVER : Role.CLIENT;
            state = State.HTTP;
            if (!seenFromStart) {
                // Responses to requests sent before tracing began may still be under way.
                responses.desync();
            }
            if (deferred != null) {
                deferred.forEach(this::read);
                deferred = null;
            }
            return true;
        }
        if (h.length < SHORT_START && io.missing() == 0 && HttpHead.plausibleStart(true, h, 0, h.length)) {
            // A request may begin with a call too short to show its method ("G", "GE"): wait for the next one.
            if (deferred == null) {
                deferred = new ArrayList<>(2);
            }
            deferred.add(io);
            return false;
        }
        deferred = null;
        if (!seenFromStart && HttpHead.statusLineAt(h, 0, h.length)) {
            role = io.inbound() ? Role.CLIENT : Role.SERVER;
            state = State.HTTP;
            requests.desync();
            responses.desync();
            return true;
        }
        if (seenFromStart || ++probation >= PROBATION_CALLS) {
            state = State.NOT_HTTP;
        }
        return false;
    }

    /** End of stream from the peer, or a failure that means the connection is gone; not EAGAIN, EINTR, .... */
    private static boolean connectionEnded(SocketIo io) {
        if (io.bytes() == 0) {
            return io.inbound();
        }
        return switch ((int) -io.bytes()) {
            case 32, 101, 102, 103, 104, 107, 108, 110, 111, 113 -> true; // EPIPE ENETUNREACH ENETRESET
                // ECONNABORTED ECONNRESET ENOTCONN ESHUTDOWN ETIMEDOUT ECONNREFUSED EHOSTUNREACH
            default -> false;
        };
    }

    private void peerEnded(SocketIo io) {
        if (io.bytes() == 0 && role == Role.CLIENT && responseEndsWithConnection()) {
            emit(pending.removeFirst(), Outcome.COMPLETE, 0);
        }
        while (!pending.isEmpty()) {
            PendingExchange x = pending.removeFirst();
            x.cutAt(io);
            emit(x, Outcome.ABORTED, 0);
        }
        reset();
    }

    /** The oldest exchange's response is under way and delimited by the end of the connection. */
    private boolean responseEndsWithConnection() {
        PendingExchange front = pending.peekFirst();
        return front != null && responseSide.target == front && responses.endsAtClose();
    }

    private void reset() {
        requests.desync();
        responses.desync();
        requestSide.current = null;
        responseSide.target = null;
    }

    private void emit(PendingExchange x, Outcome outcome, long endNs) {
        sink.accept(x.build(role, pid, sock, outcome, endNs));
    }

    /** Requests: each becomes an exchange waiting for its response once its head is read. */
    private final class RequestSide implements MessageReader.Listener {
        PendingExchange current;

        @Override
        public void start(SocketIo io) {
            current = new PendingExchange(io);
        }

        @Override
        public void moved(SocketIo io, long n, boolean body) {
            current.request(io, n);
        }

        @Override
        public MessageReader.Body head(HttpHead head) {
            current.method = head.method;
            current.host = head.host;
            current.path = head.path;
            current.route = routes.route(head.path);
            LlmEndpoint endpoint = LlmEndpoint.of(head.path);
            if (endpoint != null) {
                current.llm(endpoint, !head.encoded, captureContentBytes);
            }
            if (pending.size() < MAX_PENDING) {
                pending.addLast(current);
            } else {
                pipelineOverflows++;
            }
            // Transfer-Encoding without chunked last is refused by servers (RFC 9112 §6.3): no body follows.
            return head.chunked ? MessageReader.Body.CHUNKED
                    : head.contentLength > 0 && !head.transferEncoding ? MessageReader.Body.LENGTH
                    : MessageReader.Body.NONE;
        }

        @Override
        public void data(SocketIo io, byte[] b, int off, int len) {
            current.requestData(b, off, len);
        }

        @Override
        public void gap() {
            current.requestGap();
        }

        @Override
        public void chunk(SocketIo io) {
        }

        @Override
        public void end() {
            current.requestDone();
            current = null;
        }

        /** A request whose head was read is real and stays, waiting for its response; otherwise it never was. */
        @Override
        public void abandon() {
            if (current.method != null) {
                current.requestDone();
            }
            current = null;
        }
    }

    /** Responses: each belongs to the oldest exchange waiting; interim (1xx) ones are skipped. */
    private final class ResponseSide implements MessageReader.Listener {
        /** The exchange the response under way belongs to; null for a response without a request. */
        PendingExchange target;
        private long startNs;
        private boolean interim;
        private boolean upgrade;

        @Override
        public void start(SocketIo io) {
            target = pending.peekFirst();
            startNs = io.tsNs();
        }

        @Override
        public void moved(SocketIo io, long n, boolean body) {
            if (target != null) {
                target.response(io, n, body);
            }
        }

        @Override
        public MessageReader.Body head(HttpHead head) {
            int status = head.status;
            String method = target == null ? null : target.method;
            interim = status < 200 && status != 101;
            upgrade = status == 101 || "CONNECT".equals(method) && status < 300 && status >= 200;
            MessageReader.Body body = body(head, method);
            if (target != null && !interim) {
                target.responseStartNs = startNs;
                target.responseHead(head, body != MessageReader.Body.NONE);
            }
            return body;
        }

        private MessageReader.Body body(HttpHead head, String method) {
            int status = head.status;
            if ("HEAD".equals(method) || status < 200 || status == 204 || status == 304 || upgrade) {
                return MessageReader.Body.NONE;
            }
            if (head.chunked) {
                return MessageReader.Body.CHUNKED;
            }
            // Transfer-Encoding without chunked last: the body ends with the connection (RFC 9112 §6.3).
            return head.contentLength >= 0 && !head.transferEncoding ? MessageReader.Body.LENGTH
                    : MessageReader.Body.UNTIL_CLOSE;
        }

        @Override
        public void data(SocketIo io, byte[] b, int off, int len) {
            if (target != null) {
                target.responseData(b, off, len, io.tsNs());
            }
        }

        @Override
        public void gap() {
            if (target != null) {
                target.responseGap();
            }
        }

        @Override
        public void chunk(SocketIo io) {
            if (target != null) {
                target.chunk(io.tsNs());
            }
        }

        @Override
        public void end() {
            if (interim) {
                return;
            }
            if (target != null) {
                pending.remove(target);
                emit(target, Outcome.COMPLETE, 0);
                target = null;
            }
            if (upgrade) {
                state = State.UPGRADED;
                requests.desync();
                responses.desync();
            }
        }

        @Override
        public void abandon() {
            if (target != null) {
                pending.remove(target);
                target = null;
            }
        }
    }
}
