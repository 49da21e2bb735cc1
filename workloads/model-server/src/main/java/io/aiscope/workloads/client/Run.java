package io.aiscope.workloads.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** One scenario's run: its options, the connections it opens, the requests it records, the problems it finds. */
public final class Run {
    private static final int READ_TIMEOUT_MS = 30_000;
    private static final ObjectMapper NDJSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private final Options options;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<RequestRecord> records = Collections.synchronizedList(new ArrayList<>());
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    public Run(Options options) {
        this.options = options;
    }

    Options options() {
        return options;
    }

    HttpConnection connect() throws IOException {
        return connect(READ_TIMEOUT_MS);
    }

    HttpConnection connect(int readTimeoutMs) throws IOException {
        return new HttpConnection(connections.getAndIncrement(), options.port(), readTimeoutMs);
    }

    Request get(String path, boolean keepAlive) {
        return Request.get(options.port(), path, keepAlive);
    }

    Request postJson(String path, String json, boolean stream, boolean keepAlive) {
        return Request.postJson(options.port(), path, json, stream, keepAlive);
    }

    /** Sends the request and reads its response (up to {@code stopAfterEvents} SSE events when not 0). */
    Result exchange(int id, HttpConnection connection, Request request, int stopAfterEvents) {
        long startNs = System.nanoTime();
        try {
            startNs = connection.send(request.wire());
        } catch (IOException e) {
            Response unsent = new Response();
            unsent.failure = e.toString();
            return record(id, connection, request, startNs, unsent);
        }
        return record(id, connection, request, startNs, connection.receive(stopAfterEvents));
    }

    /** Records a request whose bytes were sent at {@code startNs} and what came back. */
    Result record(int id, HttpConnection connection, Request request, long startNs, Response response) {
        RequestRecord record = RequestRecord.of(id, options.scenario(), connection, request, startNs, response, System.nanoTime());
        records.add(record);
        return new Result(record, response);
    }

    void require(List<String> found) {
        problems.addAll(found);
    }

    void require(boolean condition, String problem) {
        if (!condition) problems.add(problem);
    }

    /** The records, one JSON object per line, in id order. */
    public void writeRecords(PrintStream out) throws IOException {
        List<RequestRecord> sorted;
        synchronized (records) {
            sorted = records.stream().sorted(Comparator.comparingInt(RequestRecord::id)).toList();
        }
        for (RequestRecord r : sorted) out.println(NDJSON.writeValueAsString(r));
        out.flush();
    }

    public List<String> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }
}
