package io.aiscope.probe.proc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.correlate.ProcessAction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The proc family's views stay bounded, keep what matters most, and count what they let go. */
@Tag("unit")
class ProcessTreeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ProcessInfo.Exec exec(long ts, String... argv) {
        return new ProcessInfo.Exec(ts, "/bin/" + argv[0], argv[0], new Argv(List.of(argv), false));
    }

    @Test
    void aHundredThousandShortLivedChildrenKeepTheRootAndTheLatest() {
        ProcessTree tree = new ProcessTree(1000);
        tree.seed(1, "root", 0, Argv.NONE);
        tree.exec(1, exec(1, "root", "--fork", "100000"));
        for (int pid = 2; pid <= 100_001; pid++) {
            tree.fork(pid, pid, 1, "root");
            tree.exec(pid, exec(pid, "child"));
            tree.exit(pid, pid, "child", 0);
        }
        ObjectNode section = JSON.createObjectNode();
        tree.write(section, 0);
        JsonNode processes = section.get("processes");
        assertThat(processes).hasSize(1000);
        assertThat(processes.get(0).get("pid").asInt()).isEqualTo(1); // still running: never let go
        assertThat(processes.get(999).get("pid").asInt()).isEqualTo(100_001);
        assertThat(section.get("processes_left_out").asLong()).isEqualTo(100_001 - 1000);
        assertThat(section.get("execs")).hasSize(1000);
        assertThat(section.get("execs_left_out").asLong()).isEqualTo(100_001 - 1000);
    }

    @Test
    void whenEveryPlaceIsTakenByALiveProcessANewOneIsCountedNotKept() {
        ProcessTree tree = new ProcessTree(2);
        tree.fork(1, 10, 1, "a");
        tree.fork(2, 11, 1, "b");
        tree.fork(3, 12, 1, "c");
        tree.exec(12, exec(4, "c"));
        assertThat(tree.exit(5, 12, "c", 3 << 8)).isEqualTo(3); // the code is still told
        assertThat(tree.exit(6, 11, "b", 9)).isEqualTo(128 + 9);
        ObjectNode section = JSON.createObjectNode();
        tree.write(section, 0);
        assertThat(section.get("processes")).extracting(p -> p.get("pid").asInt()).containsExactly(10, 11);
        assertThat(section.get("processes_left_out").asLong()).isEqualTo(3); // fork, exec's lookup, exit's lookup
        assertThat(section.get("execs_left_out").asLong()).isEqualTo(1);
    }

    @Test
    void aProcessKeepsItsLatestImagesAndAReusedPidStartsAfresh() {
        ProcessTree tree = new ProcessTree(10);
        tree.fork(1, 5, 1, "sh");
        for (int i = 0; i < ProcessInfo.MAX_EXECS + 2; i++) {
            tree.exec(5, exec(10 + i, "prog" + i));
        }
        tree.exit(20, 5, "prog5", 0);
        tree.fork(30, 5, 2, "again");
        ObjectNode section = JSON.createObjectNode();
        tree.write(section, 0);
        assertThat(section.get("processes")).singleElement().satisfies(p -> {
            assertThat(p.get("ppid").asInt()).isEqualTo(2);
            assertThat(p.get("exit_code").isNull()).isTrue();
        });
        assertThat(section.get("execs_left_out").asLong()).isEqualTo(ProcessInfo.MAX_EXECS + 2);
        assertThat(section.get("processes_left_out").asLong()).isEqualTo(1);
    }

    @Test
    void writtenPathsAreBoundedAndListedMostOpenedFirst() {
        FileOpens files = new FileOpens();
        for (int i = 0; i < FileOpens.MAX_PATHS + 50; i++) {
            files.add(new ProcessAction.FileOpen(i, 1, 1, "/tmp/f" + i, 01, 3), false);
        }
        files.add(new ProcessAction.FileOpen(0, 1, 1, "/tmp/f7", 0101, -13), false);
        files.add(new ProcessAction.FileOpen(0, 1, 1, "/etc/passwd", 0, 3), true);
        ObjectNode section = JSON.createObjectNode();
        files.write(section);
        assertThat(section.get("opens").asLong()).isEqualTo(FileOpens.MAX_PATHS + 52);
        assertThat(section.get("for_writing").asLong()).isEqualTo(FileOpens.MAX_PATHS + 51);
        assertThat(section.get("failed").asLong()).isEqualTo(1);
        assertThat(section.get("paths_cut").asLong()).isEqualTo(1);
        JsonNode written = section.get("written");
        assertThat(written).hasSize(FileOpens.SHOWN);
        assertThat(written.get(0).toString()).isEqualTo(
                "{\"path\":\"/tmp/f7\",\"count\":2,\"failed\":1,\"errors\":{\"-13\":1}}");
        assertThat(written.get(1).get("path").asText()).isEqualTo("/tmp/f0");
        // Untracked paths (50) and tracked ones not shown (1024 - 100 paths, one open each).
        assertThat(section.get("written_opens_left_out").asLong()).isEqualTo(50 + FileOpens.MAX_PATHS - FileOpens.SHOWN);
    }

    @Test
    void connectsAreBoundedByDistinctDestination() {
        Connects connects = new Connects();
        for (int i = 0; i < Connects.MAX_ENTRIES + 10; i++) {
            connects.add(new ProcessAction.Connect(i, 1, 1, "10.0.0.1", 1000 + i, -111));
        }
        connects.add(new ProcessAction.Connect(0, 1, 1, "10.0.0.1", 1000, -111));
        ObjectNode section = JSON.createObjectNode();
        connects.write(section);
        assertThat(section.get("connects")).hasSize(Connects.MAX_ENTRIES);
        assertThat(section.get("connects").get(0).get("count").asLong()).isEqualTo(2);
        assertThat(section.get("connects_left_out").asLong()).isEqualTo(10);
    }
}
