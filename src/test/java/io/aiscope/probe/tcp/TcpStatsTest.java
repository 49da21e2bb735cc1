package io.aiscope.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.engine.ProcessNames;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Aggregation, report and metrics from synthetic events: the kernel-free half of the family. */
@Tag("unit")
class TcpStatsTest {
    static final int CLOSE = 7, SYN_SENT = 2, FIN_WAIT2 = 5, ESTABLISHED = 1;
    final TcpStats stats = new TcpStats();

    static TcpEvent open(int pid, long sock, long ts, long connectNs) {
        return new TcpEvent(TcpEvent.Kind.OPEN, pid, "app" + pid, ts, sock, 0, connectNs, 0, 0, 0, "127.0.0.1",
                40000 + (int) sock, "127.0.0.1", 8080, TcpEvent.Role.CLIENT, ESTABLISHED);
    }

    static TcpEvent close(int pid, long sock, long ts, long duration, long connectNs, long tx, long rx, int retrans,
            int fromState) {
        return new TcpEvent(TcpEvent.Kind.CLOSE, pid, "app" + pid, ts, sock, duration, connectNs, tx, rx, retrans,
                "127.0.0.1", 40000 + (int) sock, "127.0.0.1", 8080, TcpEvent.Role.CLIENT, fromState);
    }

    static TcpEvent retransmit(int pid, long sock, int segs) {
        return new TcpEvent(TcpEvent.Kind.RETRANSMIT, pid, "app" + pid, 0, sock, 0, 0, 0, 0, segs, "127.0.0.1",
                40000 + (int) sock, "127.0.0.1", 8080, TcpEvent.Role.CLIENT, ESTABLISHED);
    }

    JsonNode report() {
        ObjectNode out = new ObjectMapper().createObjectNode();
        new TcpReport(stats).write(out, 10_000_000_000L);
        return out;
    }

    @Test
    void aConnectionIsOpenedRetransmitsAndCloses() {
        stats.apply(open(10, 1, 2_000_000, 500_000));
        stats.apply(retransmit(10, 1, 2));
        JsonNode live = report();
        assertThat(live.get("open_connections").asLong()).isEqualTo(1);
        assertThat(live.get("connections").get(0).get("open").asBoolean()).isTrue();
        assertThat(live.get("connections").get(0).get("retransmits").asLong()).isEqualTo(2);
        assertThat(live.get("connections").get(0).get("tx_bytes").isNull()).isTrue();

        stats.apply(retransmit(10, 1, 1));
        stats.apply(close(10, 1, 5_000_000, 3_500_000, 500_000, 1000, 300, 3, FIN_WAIT2));
        JsonNode r = report();
        assertThat(r.get("retransmits").asLong()).isEqualTo(3);
        assertThat(r.get("connections_opened").asLong()).isEqualTo(1);
        assertThat(r.get("connections_closed").asLong()).isEqualTo(1);
        assertThat(r.get("open_connections").asLong()).isZero();
        JsonNode c = r.get("connections").get(0);
        assertThat(c.get("pid").asInt()).isEqualTo(10);
        assertThat(c.get("role").asText()).isEqualTo("client");
        assertThat(c.get("open").asBoolean()).isFalse();
        assertThat(c.get("tx_bytes").asLong()).isEqualTo(1000);
        assertThat(c.get("rx_bytes").asLong()).isEqualTo(300);
        assertThat(c.get("retransmits").asLong()).isEqualTo(3);
        assertThat(c.get("duration_ms").asDouble()).isEqualTo(3.5);
        assertThat(c.get("connect_latency_ms").asDouble()).isEqualTo(0.5);
        assertThat(c.get("last_state").asText()).isEqualTo("FIN_WAIT2");
        assertThat(r.get("connect_latency_ms").get("count").asLong()).isEqualTo(1);
        assertThat(r.get("connect_latency_ms").get("max").asDouble()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.001));
        JsonNode p = r.get("processes").get(0);
        assertThat(p.get("tx_bytes").asLong()).isEqualTo(1000);
        assertThat(p.get("retransmits").asLong()).isEqualTo(3);
        assertThat(p.get("opened_by_role").get("client").asLong()).isEqualTo(1);
    }

    @Test
    void aFailedConnectIsNeitherOpenedNorClosed() {
        stats.apply(close(11, 2, 5_000_000, 1_000_000, 0, 0, 0, 1, SYN_SENT));
        JsonNode r = report();
        assertThat(r.get("connections_opened").asLong()).isZero();
        assertThat(r.get("connections_closed").asLong()).isZero();
        assertThat(r.get("connect_failures").asLong()).isEqualTo(1);
        assertThat(r.get("connections").get(0).get("established").asBoolean()).isFalse();
        assertThat(r.get("connections").get(0).get("connect_latency_ms").isNull()).isTrue();
        assertThat(stats.view(11).connectFailures()).isEqualTo(1);
    }

    @Test
    void aCloseWhoseOpenWasLostStillCountsTheConnection() {
        stats.apply(close(12, 3, 9_000_000, 4_000_000, 250_000, 10, 20, 0, CLOSE));
        TcpProcessStats p = stats.view(12);
        assertThat(p.connectionsOpened()).isEqualTo(1);
        assertThat(p.connectionsClosed()).isEqualTo(1);
        assertThat(p.openConnections()).isZero();
        assertThat(stats.connectLatencyNs.getTotalCount()).isEqualTo(1);
    }

    @Test
    void synAckRetransmitsBelongToTheListenersProcess() {
        stats.apply(new TcpEvent(TcpEvent.Kind.SYNACK_RETRANSMIT, 13, "srv", 0, 78, 0, 0, 0, 0, 1, "::1", 80, "::1",
                5555, TcpEvent.Role.SERVER, 3));
        JsonNode r = report();
        assertThat(r.get("synack_retransmits").asLong()).isEqualTo(1);
        assertThat(r.get("retransmits").asLong()).isEqualTo(1);
        assertThat(r.get("connections")).isEmpty();
    }

    @Test
    void closedConnectionsListIsBoundedButTotalsAreNot() {
        for (int i = 0; i < TcpStats.MAX_CLOSED_LISTED + 5; i++) {
            stats.apply(close(14, 1000 + i, 2_000_000, 1_000_000, 100_000, 1, 1, 0, CLOSE));
        }
        JsonNode r = report();
        assertThat(r.get("connections")).hasSize(TcpStats.MAX_CLOSED_LISTED);
        assertThat(r.get("connections_not_listed").asLong()).isEqualTo(5);
        assertThat(r.get("connections_closed").asLong()).isEqualTo(TcpStats.MAX_CLOSED_LISTED + 5);
        assertThat(r.get("tx_bytes").asLong()).isEqualTo(TcpStats.MAX_CLOSED_LISTED + 5);
    }

    @Test
    void metricsSumProcessesPastTheLabelBudget() {
        ProcessNames names = new ProcessNames(1);
        names.remember(20, "first");
        names.remember(21, "second");
        names.remember(22, "third");
        stats.apply(open(20, 1, 1_000_000, 200_000));
        stats.apply(retransmit(20, 1, 1));
        stats.apply(open(21, 2, 1_000_000, 300_000));
        stats.apply(retransmit(21, 2, 2));
        stats.apply(open(22, 3, 1_000_000, 30_000_000));
        stats.apply(retransmit(22, 3, 4));
        PrometheusRegistry registry = new PrometheusRegistry();
        new TcpMetrics(stats, names).register(registry);
        var snapshots = registry.scrape();
        CounterSnapshot retrans = (CounterSnapshot) find(snapshots, "aiscope_tcp_retransmits");
        assertThat(retrans.getDataPoints()).hasSize(2);
        for (var dp : retrans.getDataPoints()) {
            String pid = dp.getLabels().get("pid");
            assertThat(dp.getValue()).isEqualTo(pid.equals("20") ? 1.0 : 6.0);
            assertThat(dp.getLabels().get("comm")).isEqualTo(pid.equals("20") ? "first" : "other");
        }
        HistogramSnapshot latency = (HistogramSnapshot) find(snapshots, TcpMetrics.LATENCY);
        assertThat(latency.getDataPoints()).hasSize(2);
        var other = latency.getDataPoints().stream().filter(d -> d.getLabels().get("pid").equals("other")).findFirst()
                .orElseThrow();
        assertThat(other.getCount()).isEqualTo(2);
        assertThat(other.getSum()).isCloseTo(0.0303, org.assertj.core.data.Offset.offset(1e-9));
        CounterSnapshot conns = (CounterSnapshot) find(snapshots, "aiscope_tcp_connections");
        assertThat(conns.getDataPoints().stream().filter(d -> d.getLabels().get("role").equals("client"))
                .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum()).isEqualTo(3.0);
    }

    static MetricSnapshot find(Iterable<MetricSnapshot> all, String name) {
        for (MetricSnapshot s : all) {
            if (s.getMetadata().getName().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no metric " + name);
    }
}
