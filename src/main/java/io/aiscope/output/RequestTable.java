package io.aiscope.output;

import io.aiscope.correlate.Decomposition;
import io.aiscope.correlate.TracedRequest;
import io.aiscope.engine.ProcessNames;
import io.aiscope.probe.http.HttpExchange;
import io.aiscope.probe.http.Tokens;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The live request view over a window of recent requests: one row per route (rate, errors, latency and TTFT
 * quantiles, tokens/s), then the slowest requests with where their time went.
 */
public final class RequestTable {
    private static final int SLOWEST_SHOWN = 5;

    private record Key(int pid, HttpExchange.Role role, String method, String route) {}

    private static final class Row {
        long count, errors, tokens;
        final Histogram latency = new Histogram(3);
        final Histogram ttft = new Histogram(3);
    }

    private RequestTable() {}

    /** {@code requests} finished within the last {@code windowSeconds}. */
    public static String render(List<TracedRequest> requests, double windowSeconds, ProcessNames names) {
        if (requests.isEmpty()) {
            return "(no request finished in the last " + Table.number(windowSeconds) + " s)\n";
        }
        Map<Key, Row> rows = new LinkedHashMap<>();
        for (TracedRequest r : requests) {
            HttpExchange x = r.exchange();
            Row row = rows.computeIfAbsent(new Key(x.pid(), x.role(), x.method(), x.route()), k -> new Row());
            row.count++;
            row.errors += x.isError() ? 1 : 0;
            row.tokens += Tokens.outputTokens(x);
            row.latency.recordValue(Math.max(0, x.durationNs()));
            if (x.streaming() && x.ttftNs() >= 0) {
                row.ttft.recordValue(x.ttftNs());
            }
        }
        Table table = new Table(List.of(Table.Column.right("PID"), Table.Column.left("COMM"), Table.Column.left("ROLE"),
                Table.Column.left("METHOD"), Table.Column.left("ROUTE"), Table.Column.right("REQ/s"),
                Table.Column.right("ERR"), Table.Column.right("P50 ms"), Table.Column.right("P95 ms"),
                Table.Column.right("P99 ms"), Table.Column.right("TTFT P50"), Table.Column.right("TTFT P99"),
                Table.Column.right("TOK/s")));
        List<Map.Entry<Key, Row>> sorted = new ArrayList<>(rows.entrySet());
        sorted.sort(Comparator.comparingLong((Map.Entry<Key, Row> e) -> e.getValue().count).reversed());
        for (var e : sorted) {
            Key k = e.getKey();
            Row r = e.getValue();
            boolean ttft = r.ttft.getTotalCount() > 0;
            table.add(List.of(Integer.toString(k.pid()), names.comm(k.pid()), k.role().name().toLowerCase(Locale.ROOT),
                    k.method(), k.route(), Table.number(r.count / windowSeconds), Long.toString(r.errors),
                    ms(r.latency.getValueAtPercentile(50)), ms(r.latency.getValueAtPercentile(95)),
                    ms(r.latency.getValueAtPercentile(99)), ttft ? ms(r.ttft.getValueAtPercentile(50)) : "-",
                    ttft ? ms(r.ttft.getValueAtPercentile(99)) : "-", Table.number(r.tokens / windowSeconds)));
        }
        StringBuilder out = new StringBuilder(table.render());
        List<TracedRequest> slowest = new ArrayList<>(requests);
        slowest.sort(Comparator.comparingLong((TracedRequest r) -> r.exchange().durationNs()).reversed());
        if (!slowest.isEmpty()) {
            out.append("\nslowest:\n");
        }
        for (TracedRequest r : slowest.subList(0, Math.min(SLOWEST_SHOWN, slowest.size()))) {
            out.append("  ").append(describe(r)).append('\n');
        }
        return out.toString();
    }

    /** One request and its decomposition on one line. */
    static String describe(TracedRequest r) {
        HttpExchange x = r.exchange();
        Decomposition d = r.decomposition();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s %s → %s in %s ms", x.method(), x.path(),
                x.status() == 0 ? "no response" : Integer.toString(x.status()), ms(x.durationNs())));
        if (x.outcome() != HttpExchange.Outcome.COMPLETE) {
            s.append(" (").append(x.outcome().name().toLowerCase(Locale.ROOT)).append(')');
        }
        if (x.ttftNs() >= 0 && x.streaming()) {
            s.append(", ttft ").append(ms(x.ttftNs())).append(" ms, ").append(x.tokenNs().length).append(" tokens streamed");
        }
        s.append(d.onCpuNs() >= 0 ? " | run queue " : " | run queue of all its threads ").append(ms(d.runQueueNs())).append(" ms");
        if (d.onCpuNs() >= 0) {
            s.append(", on CPU ").append(ms(d.onCpuNs())).append(" ms, off CPU ").append(ms(d.offCpuNs())).append(" ms");
        }
        if (d.cudaCalls() > 0) {
            s.append(String.format(Locale.ROOT, ", CUDA %d calls, %d launches, %s copied, %s ms sync", d.cudaCalls(),
                    d.cudaLaunches(), Table.bytes(d.cudaCopyBytes()), ms(d.cudaSyncNs())));
        }
        if (d.retransmits() > 0) {
            s.append(", ").append(d.retransmits()).append(" retransmits");
        }
        s.append(" [").append(d.attribution().label()).append(']');
        return s.toString();
    }

    private static String ms(long ns) {
        return String.format(Locale.ROOT, "%.2f", ns / 1e6);
    }
}
