package io.aiscope.probe.proc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.correlate.ProcessAction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Non-blocking connects: their outcome finds its connect, and {@code connects[]} counts the outcome. */
@Tag("unit")
class ProcConnectOutcomesTest {
    private static final long EINPROGRESS = -115, ECONNREFUSED = -111;
    private static final int PID = 42;

    private static ProcessAction.Connect connect(long ts, int port, long result) {
        return new ProcessAction.Connect(ts, PID, PID + 1, "127.0.0.1", port, result);
    }

    @Test
    void theKernelsOutcomeNamesConnectedRefusedOrClosedByTheCaller() {
        assertThat(ProcEventLayout.outcome(true, 0)).isZero();
        assertThat(ProcEventLayout.outcome(false, 111)).isEqualTo(ECONNREFUSED);
        assertThat(ProcEventLayout.outcome(false, 110)).isEqualTo(-110);
        assertThat(ProcEventLayout.outcome(false, 0)).isEqualTo(ProcessAction.ConnectResult.CLOSED_WHILE_CONNECTING);
    }

    @Test
    void anOutcomeCompletesTheConnectOfItsProcessSocketAndTime() {
        PendingConnects pending = new PendingConnects();
        ProcessAction.Connect first = connect(100, 80, EINPROGRESS), again = connect(500, 81, EINPROGRESS);
        pending.add(first, 0xffff0001L);
        pending.add(again, 0xffff0001L); // the same socket address, freed and reused
        assertThat(pending.complete(new PendingConnects.Key(PID + 7, 0xffff0001L, 100), 150, 0)).isNull();
        ProcessAction.ConnectResult r = pending.complete(new PendingConnects.Key(PID, 0xffff0001L, 500), 650, ECONNREFUSED);
        assertThat(r).isEqualTo(new ProcessAction.ConnectResult(650, again, ECONNREFUSED));
        assertThat(r.pid()).isEqualTo(PID);
        assertThat(r.afterNs()).isEqualTo(150);
        assertThat(pending.complete(new PendingConnects.Key(PID, 0xffff0001L, 100), 700, 0).connect()).isEqualTo(first);
        assertThat(pending.complete(new PendingConnects.Key(PID, 0xffff0001L, 100), 800, 0)).isNull(); // once only
        assertThat(pending.lost()).isEqualTo(2);
    }

    @Test
    void pastTheBoundTheOldestIsForgottenAndItsOutcomeCountedLost() {
        PendingConnects pending = new PendingConnects();
        for (int i = 0; i <= PendingConnects.MAX_PENDING; i++) {
            pending.add(connect(i, 80, EINPROGRESS), 1000 + i);
        }
        assertThat(pending.complete(new PendingConnects.Key(PID, 1000, 0), 1, 0)).isNull();
        assertThat(pending.complete(new PendingConnects.Key(PID, 1001, 1), 2, 0)).isNotNull();
        assertThat(pending.lost()).isEqualTo(1);
    }

    @Test
    void connectsCountUnderTheirOutcomeAndStayInProgressWithoutOne() {
        Connects connects = new Connects();
        ProcessAction.Connect blocking = connect(1, 80, 0), ok = connect(2, 80, EINPROGRESS),
                refused = connect(3, 81, EINPROGRESS), unseen = connect(4, 82, EINPROGRESS);
        connects.add(blocking);
        connects.add(ok);
        connects.add(refused);
        connects.add(unseen);
        connects.completed(new ProcessAction.ConnectResult(10, ok, 0));
        connects.completed(new ProcessAction.ConnectResult(11, refused, ECONNREFUSED));
        assertThat(rows(connects)).extracting(c -> c.get("port").asInt(), c -> c.get("result").asLong(),
                c -> c.get("count").asInt()).containsExactly(
                tuple(80, 0L, 2), tuple(82, EINPROGRESS, 1), tuple(81, ECONNREFUSED, 1));
    }

    @Test
    void anOutcomeOfAConnectOnlyCountedMovesNothingListed() {
        Connects connects = new Connects();
        for (int port = 0; port < Connects.MAX_ENTRIES; port++) {
            connects.add(connect(port, port, 0));
        }
        ProcessAction.Connect late = connect(9999, 9999, EINPROGRESS);
        connects.add(late);
        connects.completed(new ProcessAction.ConnectResult(10_000, late, 0));
        ObjectNode section = JsonNodeFactory.instance.objectNode();
        connects.write(section);
        assertThat(section.get("connects")).hasSize(Connects.MAX_ENTRIES);
        assertThat(section.get("connects_left_out").asInt()).isEqualTo(1);
    }

    private static JsonNode rows(Connects connects) {
        ObjectNode section = JsonNodeFactory.instance.objectNode();
        connects.write(section);
        return section.get("connects");
    }
}
