package io.aiscope.cli;

import io.aiscope.engine.AiscopeException;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.Session;
import io.aiscope.output.Table;
import io.aiscope.output.Table.Column;
import io.aiscope.probe.cuda.CudaFamily;
import io.aiscope.probe.sched.Log2Histogram;
import io.aiscope.probe.sched.ProcessSched;
import io.aiscope.probe.sched.SchedFamily;
import io.aiscope.probe.tcp.TcpFamily;
import io.aiscope.probe.tcp.TcpProcessStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;

@Command(name = "top", mixinStandardHelpOptions = true,
        description = {"A live per-process table of CUDA, scheduler and TCP activity, refreshed every --interval.",
                "Rates are over the last interval; ERRORS and RETRANS count since aiscope started. Ctrl-C ends it."})
final class TopCommand implements Callable<Integer> {
    private static final int ROWS = 20;

    @Mixin
    ProbeOptions options;

    @Mixin
    TargetOptions targets;

    @Mixin
    LiveViewOptions view;

    /** One process's counters at one instant (cumulative, except device memory); null for a family not loaded. */
    private record Sample(CudaFamily.TopRow cuda, ProcessSched sched, TcpProcessStats tcp) {}

    /** What top shows of one process over one interval. */
    private record Row(int pid, String comm, double cudaCalls, long cudaErrors, long deviceMemory, double copyBytes,
                       double launches, double syncMs, long runqP99Us, double switches, long retransmits) {
        boolean active() {
            return cudaCalls > 0 || deviceMemory > 0 || copyBytes > 0 || launches > 0 || syncMs > 0 || switches > 0;
        }
    }

    @Override
    public Integer call() {
        view.check();
        targets.check();
        Duration interval = view.interval();
        boolean screen = view.screen();
        PrintStream out = System.out;
        try (StopSignal stop = StopSignal.install(); Session session = options.openSession()) {
            targets.start(session);
            Optional<CudaFamily> cuda = family(session, CudaFamily.class);
            Optional<SchedFamily> sched = family(session, SchedFamily.class);
            Optional<TcpFamily> tcp = family(session, TcpFamily.class);
            session.drain();
            Map<Integer, Sample> previous = sample(cuda, sched, tcp);
            long previousNs = System.nanoTime();
            for (int i = 0; view.more(i); i++) {
                if (stop.await(interval)) {
                    break;
                }
                session.drain(); // in-kernel aggregates (sched) read now, not up to a second ago
                Map<Integer, Sample> current = sample(cuda, sched, tcp);
                long now = System.nanoTime();
                List<Row> rows = rows(session, previous, current, (now - previousNs) / 1e9);
                String table = table(rows, cuda.isPresent(), sched.isPresent(), tcp.isPresent());
                String title = String.format("aiscope top — %s — %s — every %s s — %d events, %d lost%n",
                        LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), targets.describe(),
                        Table.number(view.intervalSeconds), session.stats().events(), session.stats().dropped());
                out.print((screen ? LiveViewOptions.CLEAR : i > 0 ? "\n" : "") + title + table);
                out.flush();
                previous = current;
                previousNs = now;
            }
            return 0;
        }
    }

    private static <F extends ProbeFamily> Optional<F> family(Session session, Class<F> type) {
        return session.families().stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    private static Map<Integer, Sample> sample(Optional<CudaFamily> cuda, Optional<SchedFamily> sched,
                                               Optional<TcpFamily> tcp) {
        Map<Integer, CudaFamily.TopRow> c = new HashMap<>();
        cuda.ifPresent(f -> f.topRows().forEach(r -> c.put(r.pid(), r)));
        Map<Integer, ProcessSched> s = sched.map(SchedFamily::processes).orElse(Map.of());
        Map<Integer, TcpProcessStats> t = new HashMap<>();
        tcp.ifPresent(f -> f.processes().forEach(p -> t.put(p.pid(), p)));
        TreeSet<Integer> pids = new TreeSet<>(c.keySet());
        pids.addAll(s.keySet());
        pids.addAll(t.keySet());
        Map<Integer, Sample> samples = new HashMap<>();
        for (int pid : pids) {
            samples.put(pid, new Sample(c.get(pid), s.get(pid), t.get(pid)));
        }
        return samples;
    }

    private List<Row> rows(Session session, Map<Integer, Sample> before, Map<Integer, Sample> now, double seconds) {
        Sample none = new Sample(null, null, null);
        TreeSet<Integer> pids = new TreeSet<>(now.keySet());
        targets.pids.stream().filter(p -> ProcessHandle.of(p).isPresent()).forEach(pids::add);
        List<Row> rows = new ArrayList<>();
        for (int pid : pids) {
            Sample prev = before.getOrDefault(pid, none), cur = now.getOrDefault(pid, none);
            CudaFamily.TopRow c = cur.cuda(), pc = prev.cuda();
            Row row = new Row(pid, session.names().comm(pid),
                    c == null ? 0 : (c.calls() - (pc == null ? 0 : pc.calls())) / seconds,
                    c == null ? 0 : c.errors(),
                    c == null ? 0 : c.outstandingBytes(),
                    c == null ? 0 : (c.copiedBytes() - (pc == null ? 0 : pc.copiedBytes())) / seconds,
                    c == null ? 0 : (c.launches() - (pc == null ? 0 : pc.launches())) / seconds,
                    c == null ? 0 : (c.syncBlockedNs() - (pc == null ? 0 : pc.syncBlockedNs())) / 1e6 / seconds,
                    runqueueP99(prev.sched(), cur.sched()),
                    cur.sched() == null ? 0
                            : (cur.sched().switches() - (prev.sched() == null ? 0 : prev.sched().switches())) / seconds,
                    cur.tcp() == null ? 0 : cur.tcp().retransmits());
            if (row.active() || targets.pids.contains(pid)) {
                rows.add(row);
            }
        }
        rows.sort(Comparator.comparingDouble(Row::cudaCalls).reversed()
                .thenComparing(Comparator.comparingDouble(Row::switches).reversed())
                .thenComparingInt(Row::pid));
        return rows.subList(0, Math.min(ROWS, rows.size()));
    }

    /** The p99 of the run-queue waits of this interval alone: the difference of two cumulative histograms. */
    private static long runqueueP99(ProcessSched before, ProcessSched now) {
        if (now == null) {
            return 0;
        }
        long[] slots = now.slots().clone();
        if (before != null) {
            for (int i = 0; i < slots.length; i++) {
                slots[i] -= before.slots()[i];
            }
        }
        return Log2Histogram.quantile(slots, 0.99, now.maxUs());
    }

    private static String table(List<Row> rows, boolean cuda, boolean sched, boolean tcp) {
        List<Column> columns = new ArrayList<>(List.of(Column.right("PID"), Column.left("COMM")));
        if (cuda) {
            columns.addAll(List.of(Column.right("CUDA/s"), Column.right("ERRORS"), Column.right("DEV MEM"),
                    Column.right("MEMCPY/s"), Column.right("LAUNCH/s"), Column.right("SYNC ms/s")));
        }
        if (sched) {
            columns.addAll(List.of(Column.right("RUNQ p99 µs"), Column.right("CTXSW/s")));
        }
        if (tcp) {
            columns.add(Column.right("RETRANS"));
        }
        Table table = new Table(columns);
        for (Row r : rows) {
            List<String> cells = new ArrayList<>(List.of(Integer.toString(r.pid()), r.comm()));
            if (cuda) {
                cells.addAll(List.of(Table.number(r.cudaCalls()), Long.toString(r.cudaErrors()),
                        Table.bytes(r.deviceMemory()), Table.bytes(r.copyBytes()), Table.number(r.launches()),
                        String.format(java.util.Locale.ROOT, "%.1f", r.syncMs())));
            }
            if (sched) {
                cells.addAll(List.of(Long.toString(r.runqP99Us()), Table.number(r.switches())));
            }
            if (tcp) {
                cells.add(Long.toString(r.retransmits()));
            }
            table.add(cells);
        }
        return table.render();
    }
}
