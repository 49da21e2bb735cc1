package io.aiscope.probe.proc;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.correlate.ProcessAction;
import io.aiscope.engine.AgentLog;
import io.aiscope.engine.Launcher;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.Session;
import io.aiscope.testing.Aiscope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * A real shell that writes a file, runs a failing ls and a Python child that opens files through all four open
 * syscalls and connects, blocking and not, to a listening port, a closed one, one whose backlog is full, a UDP
 * socket and a Unix socket; beside it an untraced process does the same kinds of things. The child writes down what
 * it did, and the report must say exactly that.
 */
@Tag("kernel")
class ProcKernelTest {
    private static final int ENOENT = 2, ECONNREFUSED = 111, EINPROGRESS = 115, CLOSED_WHILE_CONNECTING = -125;
    private static final int O_WRONLY = 01, O_RDWR = 02, O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000,
            O_APPEND = 02000, O_CLOEXEC = 02000000;
    private static final String PYTHON = "/usr/bin/python3";
    private static final String CHILD = """
            import ctypes, json, os, select, socket, sys

            d = sys.argv[1]
            libc = ctypes.CDLL(None, use_errno=True)

            def syscall(nr, *args):
                fd = libc.syscall(ctypes.c_long(nr), *args)
                if fd >= 0:
                    os.close(fd)

            os.close(os.open(d + "/created", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
            os.close(os.open(d + "/created", os.O_WRONLY | os.O_APPEND))
            os.close(os.open(d + "/existing", os.O_RDONLY))
            try:
                os.open(d + "/missing/file", os.O_WRONLY | os.O_CREAT, 0o644)
            except FileNotFoundError:
                pass
            syscall(85, (d + "/by-creat").encode(), ctypes.c_long(0o644))
            syscall(2, (d + "/by-open").encode(), ctypes.c_long(os.O_RDWR | os.O_CREAT), ctypes.c_long(0o600))

            class OpenHow(ctypes.Structure):
                _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]

            how = OpenHow(os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600, 0)
            syscall(437, ctypes.c_long(-100), (d + "/by-openat2").encode(), ctypes.byref(how),
                    ctypes.c_long(ctypes.sizeof(how)))

            server = socket.socket()
            server.bind(("127.0.0.1", 0))
            server.listen(8)
            closed = socket.socket()
            closed.bind(("127.0.0.1", 0))
            unix = socket.socket(socket.AF_UNIX)
            unix.bind(d + "/sock")
            unix.listen(8)
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("127.0.0.1", 0))
            # Backlog 0 holds one connection: the filler's. The next SYN is dropped, so that connect stays under
            # way until its caller gives up.
            full = socket.socket()
            full.bind(("127.0.0.1", 0))
            full.listen(0)
            kept = []

            def connect(family, address, blocking=True, kind=socket.SOCK_STREAM):
                s = socket.socket(family, kind)
                s.setblocking(blocking)
                kept.append(s)
                return s.connect_ex(address)

            # A non-blocking connect, then its outcome as an event loop learns it: writable, then SO_ERROR.
            def polled(address):
                s = socket.socket()
                s.setblocking(False)
                kept.append(s)
                returned = s.connect_ex(address)
                select.select([], [s], [], 2)
                return [returned, s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)]

            # Python connects with a timeout by a non-blocking connect and a poll.
            def with_timeout(address, timeout):
                try:
                    kept.append(socket.create_connection(address, timeout=timeout))
                    return 0
                except TimeoutError:
                    return "timeout"
                except OSError as e:
                    return e.errno

            # Its SYN dropped while the backlog is full, this one connects at the SYN's retransmission (1 s), once
            # the filler is accepted: the outcome comes from the state change, long after the call returned.
            def accepted_later(listener):
                s = socket.socket()
                s.setblocking(False)
                kept.append(s)
                returned = s.connect_ex(listener.getsockname())
                kept.append(listener.accept()[0])
                select.select([], [s], [], 5)
                return [returned, s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)]

            truth = {"pid": os.getpid(), "listening": server.getsockname()[1], "closed": closed.getsockname()[1],
                     "udp": udp.getsockname()[1], "full": full.getsockname()[1],
                     "results": [connect(socket.AF_INET, server.getsockname()),
                                 connect(socket.AF_INET, closed.getsockname()),
                                 connect(socket.AF_INET, server.getsockname(), False),
                                 connect(socket.AF_UNIX, d + "/sock")],
                     "non_blocking": [with_timeout(server.getsockname(), 2),
                                      with_timeout(closed.getsockname(), 2),
                                      polled(server.getsockname()),
                                      polled(closed.getsockname()),
                                      connect(socket.AF_INET, udp.getsockname(), False, socket.SOCK_DGRAM),
                                      connect(socket.AF_UNIX, d + "/sock", False),
                                      connect(socket.AF_INET, full.getsockname()),
                                      with_timeout(full.getsockname(), 0.3),
                                      accepted_later(full)]}
            with open(d + "/truth.json", "w") as f:
                json.dump(truth, f)
            """;

    @TempDir
    Path dir;
    private Process untraced;

    @BeforeEach
    void workload() throws IOException {
        Files.writeString(dir.resolve("child.py"), CHILD);
        Files.writeString(dir.resolve("existing"), "x");
        // Writes, opens and connects too, all the time, but is never traced.
        untraced = new ProcessBuilder("sh", "-c", "while :; do echo x > " + dir.resolve("untraced")
                + "; cat " + dir.resolve("existing") + " >/dev/null; sleep 0.02; done").start();
    }

    @AfterEach
    void stopUntraced() {
        untraced.destroy();
    }

    private List<String> script() {
        return List.of("sh", "-c", "echo a > " + dir.resolve("F") + "; ls /nonexistent; " + PYTHON + " -B -I "
                + dir.resolve("child.py") + " " + dir + "; exit 3");
    }

    @Test
    void runReportHasTheTreeWithArgvTheFilesWrittenAndTheConnects() throws IOException {
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "tcp"), script().toArray(String[]::new));
        assertThat(t.result().exitCode()).as(t.result().stderr()).isEqualTo(3);
        JsonNode truth = Aiscope.JSON.readTree(dir.resolve("truth.json").toFile());
        JsonNode proc = t.report().get("proc");

        JsonNode execs = proc.get("execs");
        assertThat(execs).as(proc.toString()).hasSize(3);
        JsonNode sh = execs.get(0), ls = execs.get(1), python = execs.get(2);
        assertThat(strings(sh.get("argv"))).isEqualTo(script());
        assertThat(strings(ls.get("argv"))).containsExactly("ls", "/nonexistent");
        assertThat(strings(python.get("argv"))).containsExactly(PYTHON, "-B", "-I", dir.resolve("child.py").toString(),
                dir.toString());
        assertThat(python.get("pid").asInt()).isEqualTo(truth.get("pid").asInt());
        assertThat(python.get("filename").asText()).isEqualTo(PYTHON);
        assertThat(ls.get("ppid").asInt()).isEqualTo(sh.get("pid").asInt());
        assertThat(python.get("ppid").asInt()).isEqualTo(sh.get("pid").asInt());
        Set<Integer> traced = Set.of(sh.get("pid").asInt(), ls.get("pid").asInt(), python.get("pid").asInt());
        assertThat(traced).doesNotContain(sh.get("ppid").asInt());
        assertThat(List.of(sh, ls, python)).extracting(e -> e.get("exit_code").asInt()).containsExactly(3, 2, 0);
        assertThat(List.of(sh, ls, python)).allSatisfy(e -> assertThat(e.get("argv_truncated").asBoolean()).isFalse());
        assertThat(ls.get("start_ms").asDouble()).isGreaterThan(sh.get("start_ms").asDouble())
                .isLessThanOrEqualTo(ls.get("exit_ms").asDouble());
        assertThat(proc.get("processes")).extracting(p -> p.get("pid").asInt())
                .containsExactlyInAnyOrderElementsOf(traced).doesNotContain((int) untraced.pid());

        JsonNode files = proc.get("files");
        assertThat(files.get("written")).extracting(w -> w.get("path").asText(), w -> w.get("count").asInt(),
                w -> w.get("failed").asInt(), w -> w.get("errors").toString()).containsExactly(
                tuple(path("created"), 2, 0, "{}"),
                tuple(path("F"), 1, 0, "{}"),
                tuple(path("missing/file"), 1, 1, "{\"-" + ENOENT + "\":1}"),
                tuple(path("by-creat"), 1, 0, "{}"),
                tuple(path("by-open"), 1, 0, "{}"),
                tuple(path("by-openat2"), 1, 0, "{}"),
                tuple(path("truth.json"), 1, 0, "{}"));
        assertThat(files.get("for_writing").asInt()).isEqualTo(8);
        assertThat(files.get("opens").asInt()).isGreaterThan(8); // the programs' own libraries and modules
        assertThat(files.get("failed").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(files.get("written_opens_left_out").asInt()).isZero();

        assertThat(truth.get("results").toString()).isEqualTo("[0," + ECONNREFUSED + "," + EINPROGRESS + ",0]");
        // Each non-blocking one as its caller learnt it; UDP and Unix sockets connect at once, never EINPROGRESS.
        assertThat(truth.get("non_blocking").toString()).isEqualTo("[0," + ECONNREFUSED + ",[" + EINPROGRESS + ",0],["
                + EINPROGRESS + "," + ECONNREFUSED + "],0,0,0,\"timeout\",[" + EINPROGRESS + ",0]]");
        int listening = truth.get("listening").asInt(), closed = truth.get("closed").asInt();
        int full = truth.get("full").asInt();
        // Non-blocking TCP connects count under their outcome: none is left "in progress".
        assertThat(proc.get("connects")).extracting(c -> c.get("address").asText(), c -> c.get("port").asInt(),
                c -> c.get("result").asInt(), c -> c.get("count").asInt()).containsExactly(
                tuple("127.0.0.1", listening, 0, 4),
                tuple("127.0.0.1", closed, -ECONNREFUSED, 3),
                tuple(path("sock"), 0, 0, 2),
                tuple("127.0.0.1", truth.get("udp").asInt(), 0, 1),
                tuple("127.0.0.1", full, 0, 2),
                tuple("127.0.0.1", full, CLOSED_WHILE_CONNECTING, 1));
        assertThat(proc.get("connect_outcomes_lost").asInt()).isZero();
        assertThat(t.report().get("agent").get("dropped").asLong()).isZero();
        assertThat(t.result().stderr()).contains("[proc] 3 processes");
    }

    @Test
    void actionsReachSessionListenersWithFlagsAndThreads() throws Exception {
        ConcurrentLinkedQueue<ProcessAction> actions = new ConcurrentLinkedQueue<>();
        int pid;
        try (Session session = new Session(new AgentLog(System.err, false), new ProcessNames(100))) {
            session.load(List.of());
            session.onAction(actions::add);
            session.start(false);
            Process p = Launcher.startStopped(script(), false);
            pid = (int) p.pid();
            session.trace(pid);
            Launcher.resume(p);
            assertThat(p.waitFor()).isEqualTo(3);
            session.drain();
        }
        int python = Aiscope.JSON.readTree(dir.resolve("truth.json").toFile()).get("pid").asInt();

        List<ProcessAction.Exec> execs = of(actions, ProcessAction.Exec.class);
        assertThat(execs).extracting(ProcessAction.Exec::argv).containsExactly(script(), List.of("ls", "/nonexistent"),
                List.of(PYTHON, "-B", "-I", dir.resolve("child.py").toString(), dir.toString()));
        assertThat(execs.getFirst().pid()).isEqualTo(pid);
        assertThat(of(actions, ProcessAction.Fork.class)).extracting(ProcessAction.Fork::ppid).containsOnly(pid)
                .hasSize(2);
        assertThat(of(actions, ProcessAction.Exit.class)).extracting(ProcessAction.Exit::exitCode)
                .containsExactlyInAnyOrder(2, 0, 3);
        assertThat(of(actions, ProcessAction.Exit.class).getLast().pid()).isEqualTo(pid);

        List<ProcessAction.FileOpen> written = of(actions, ProcessAction.FileOpen.class).stream()
                .filter(ProcessAction.FileOpen::forWriting).toList();
        assertThat(written).extracting(ProcessAction.FileOpen::path, ProcessAction.FileOpen::flags,
                o -> o.result() >= 0 ? "fd" : Long.toString(o.result())).containsExactly(
                tuple(path("F"), O_WRONLY | O_CREAT | O_TRUNC, "fd"),
                tuple(path("created"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, "fd"),
                tuple(path("created"), O_WRONLY | O_APPEND | O_CLOEXEC, "fd"),
                tuple(path("missing/file"), O_WRONLY | O_CREAT | O_CLOEXEC, "-" + ENOENT),
                tuple(path("by-creat"), O_WRONLY | O_CREAT | O_TRUNC, "fd"),
                tuple(path("by-open"), O_RDWR | O_CREAT, "fd"),
                tuple(path("by-openat2"), O_WRONLY | O_CREAT | O_EXCL, "fd"),
                tuple(path("truth.json"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, "fd"));
        assertThat(written.subList(1, written.size())).allSatisfy(o -> {
            assertThat(o.pid()).isEqualTo(python);
            assertThat(o.tid()).isEqualTo(python); // one thread
        });
        assertThat(of(actions, ProcessAction.FileOpen.class)).filteredOn(o -> o.path().equals(path("existing")))
                .singleElement().satisfies(o -> assertThat(o.forWriting()).isFalse());
        assertThat(of(actions, ProcessAction.Connect.class)).extracting(ProcessAction.Connect::pid)
                .containsOnly(python).hasSize(13);
        // The outcomes, each of its own -EINPROGRESS connect, in call order; the gave-up one after its 300 ms.
        List<ProcessAction.ConnectResult> outcomes = of(actions, ProcessAction.ConnectResult.class);
        assertThat(outcomes).extracting(r -> r.connect().result(), ProcessAction.ConnectResult::result).containsExactly(
                tuple((long) -EINPROGRESS, 0L), tuple((long) -EINPROGRESS, 0L), tuple((long) -EINPROGRESS, (long) -ECONNREFUSED),
                tuple((long) -EINPROGRESS, 0L), tuple((long) -EINPROGRESS, (long) -ECONNREFUSED),
                tuple((long) -EINPROGRESS, (long) CLOSED_WHILE_CONNECTING), tuple((long) -EINPROGRESS, 0L));
        assertThat(outcomes).allSatisfy(r -> assertThat(of(actions, ProcessAction.Connect.class)).contains(r.connect()));
        assertThat(outcomes.get(5).afterNs()).isBetween(300_000_000L, 2_000_000_000L);
        assertThat(outcomes.get(6).afterNs()).isBetween(900_000_000L, 5_000_000_000L);
        assertThat(outcomes.subList(0, 5)).allSatisfy(r -> assertThat(r.afterNs()).isBetween(0L, 50_000_000L));
        assertThat(actions).allSatisfy(a -> assertThat(a.pid()).isNotEqualTo((int) untraced.pid()));
    }

    @Test
    void longArgumentListsAreCutAndSaidSo() {
        String longArg = "x".repeat(3000);
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "tcp"), "/bin/true", "short", longArg);
        JsonNode exec = t.report().get("proc").get("execs").get(0);
        assertThat(exec.get("argv_truncated").asBoolean()).isTrue();
        List<String> argv = strings(exec.get("argv"));
        assertThat(argv).hasSize(3).startsWith("/bin/true", "short");
        // 1024 bytes in all, each argument NUL-terminated: what is left of the long one is its beginning.
        assertThat(argv.get(2)).isEqualTo("x".repeat(1024 - "/bin/true".length() - 1 - "short".length() - 1));
    }

    private String path(String name) {
        return dir.resolve(name).toString();
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static <T extends ProcessAction> List<T> of(Iterable<ProcessAction> actions, Class<T> type) {
        List<T> list = new ArrayList<>();
        actions.forEach(a -> {
            if (type.isInstance(a)) {
                list.add(type.cast(a));
            }
        });
        return list;
    }
}
