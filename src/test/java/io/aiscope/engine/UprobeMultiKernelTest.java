package io.aiscope.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BpfProgram;
import io.aiscope.bpf.BpfSupport;
import io.aiscope.probe.cuda.CudaFamily;
import io.aiscope.symbols.NativeBuild;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.Workloads;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cuda family's uprobes as uprobe_multi links (one link per program and file) against one link per function
 * (libbpf's perf-event uprobes): the same programs on the same offsets with the same cookies, events as exact as
 * before, and nothing left attached after close. What the kernel holds is read back from /proc/self/fdinfo, where
 * each BPF link fd lists its type, program, file, offsets and cookies.
 */
@Tag("kernel")
class UprobeMultiKernelTest {

    /** One uprobe as the kernel reports it: which program (by tag), entry or return, where, with which cookie. */
    record Probe(String progTag, boolean onReturn, String path, long offset, long cookie) {}

    /** The uprobe links this process holds now, by link type ("perf", "uprobe_multi", "uretprobe_multi"). */
    record Links(Map<String, Integer> byType, Set<Probe> probes) {}

    @Test
    void multiLinksProbeExactlyWhatOneLinkPerFunctionProbed() throws IOException {
        assumeTrue(BpfSupport.uprobeMulti(), "this kernel has no uprobe_multi links");
        assertThat(uprobeLinks().probes()).as("no uprobes before").isEmpty();

        Links multi;
        List<AttachedLibrary> multiLibraries;
        try (Session session = cudaSession()) {
            multi = uprobeLinks();
            multiLibraries = session.stats().libraries();
        }
        assertThat(uprobeLinks().byType()).as("every link detached by close").isEmpty();

        Links single;
        List<AttachedLibrary> singleLibraries;
        System.setProperty(LibraryAttacher.MULTI_PROPERTY, "false");
        try (Session session = cudaSession()) {
            single = uprobeLinks();
            singleLibraries = session.stats().libraries();
        } finally {
            System.clearProperty(LibraryAttacher.MULTI_PROPERTY);
        }
        assertThat(uprobeLinks().byType()).as("every link detached by close").isEmpty();

        assertThat(multiLibraries).isNotEmpty().isEqualTo(singleLibraries);
        int functions = multiLibraries.stream().mapToInt(l -> l.functions().size()).sum();
        assertThat(functions).isGreaterThan(10);
        // Each CUDA function has an entry and a return probe; the proc family's loader hook has an entry only.
        int probes = multiLibraries.stream().mapToInt(l -> (l.family().equals("proc") ? 1 : 2) * l.functions().size())
                .sum();
        assertThat(single.byType()).isEqualTo(Map.of("perf", probes));
        assertThat(single.probes()).hasSize(probes);
        assertThat(multi.probes()).isEqualTo(single.probes());
        // One link per program and file, at most as many per file as the object has uprobe programs.
        long programs;
        try (BpfObject object = BpfObject.open(CudaFamily.class, "cuda.bpf.o")) {
            programs = object.programs().stream().filter(BpfProgram::isUprobe).count();
        }
        assertThat(multi.byType()).containsOnlyKeys("uprobe_multi", "uretprobe_multi");
        int multiLinks = multi.byType().values().stream().mapToInt(Integer::intValue).sum();
        long cudaLibraries = multiLibraries.stream().filter(l -> l.family().equals("cuda")).count();
        long loaders = multiLibraries.size() - cudaLibraries;
        assertThat(multiLinks).isBetween((int) (2 * cudaLibraries + loaders), (int) (programs * cudaLibraries + loaders));
    }

    @Test
    void multiLinksSeeEveryCallOfARealProgramAndStopAtClose() throws Exception {
        assumeTrue(BpfSupport.uprobeMulti(), "this kernel has no uprobe_multi links");
        Path out = Files.createTempFile("census", ".json");
        Map<String, AtomicLong> seen = new ConcurrentHashMap<>();
        Set<String> probed = new HashSet<>();
        try (Session session = new Session(new AgentLog(System.err, false), new ProcessNames(100))) {
            session.onEvent(e -> {
                if (e.family().equals("cuda")) {
                    seen.computeIfAbsent((String) e.fields().get("function"), f -> new AtomicLong()).incrementAndGet();
                }
            });
            session.load(Families.create(List.of("cuda")));
            session.start(false);
            assertThat(uprobeLinks().byType()).containsOnlyKeys("uprobe_multi", "uretprobe_multi");
            Process census = new ProcessBuilder(Workloads.get("cuda_census").toString(), "--threads", "2",
                    "--mallocs", "40", "--frees", "20", "--launches", "30", "--pause-before", "300")
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            session.trace((int) census.pid());
            assertThat(census.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(census.exitValue()).isZero();
            session.drain();
            assertThat(session.stats().droppedByFamily().values()).allMatch(d -> d == 0);
            session.stats().libraries().forEach(l -> probed.addAll(l.functions()));
        }
        assertThat(uprobeLinks().byType()).isEmpty();

        JsonNode report = Aiscope.JSON.readTree(out.toFile());
        Files.delete(out);
        Map<String, Long> expected = new TreeMap<>(), got = new TreeMap<>();
        report.get("functions").fields().forEachRemaining(f -> {
            if (!probed.contains(f.getKey())) {
                return; // the census also counts calls aiscope does not probe
            }
            expected.put(f.getKey(), f.getValue().get("calls").asLong());
            got.put(f.getKey(), seen.containsKey(f.getKey()) ? seen.get(f.getKey()).get() : 0);
        });
        assertThat(expected).containsKeys("cudaMalloc", "cudaFree", "cudaMemcpy", "cudaLaunchKernel",
                "cudaDeviceSynchronize");
        assertThat(got).isEqualTo(expected);
        assertThat(seen.get("__cudaGetKernel").get())
                .isEqualTo(report.get("generated_calls").path("__cudaGetKernel").asLong());
    }

    /**
     * A function the kernel will not probe (its first instruction is a breakpoint) fails a uprobe_multi link as a
     * whole when a process maps the file; the attacher then goes function by function, so that the others stay
     * probed and the missing list names exactly that function and the one the file lacks, as with one link per
     * function.
     */
    @Test
    void aFunctionTheKernelRefusesIsMissingInBothModesAndTheRestIsProbed(@TempDir Path dir) throws Exception {
        Path program = NativeBuild.fixedAddressExecutable(dir, "refused", """
                #include <stdio.h>
                __asm__(".globl refused_fn\\n.type refused_fn,@function\\nrefused_fn:\\n int3\\n ret\\n"
                        ".size refused_fn, .-refused_fn\\n");
                __attribute__((noinline, used)) int first_fn(int x) { return x + 1; }
                __attribute__((noinline, used)) int second_fn(int x) { return x * 2; }
                int main(void) {
                  puts("ready"); fflush(stdout);
                  getchar();
                  return first_fn(1) + second_fn(2) == 6 ? 0 : 1;
                }
                """);
        Process process = new ProcessBuilder(program.toString()).redirectErrorStream(true).start();
        try {
            assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream())).readLine())
                    .isEqualTo("ready");
            List<AttachedLibrary> multi = attachTo((int) process.pid(), true);
            List<AttachedLibrary> single = attachTo((int) process.pid(), false);
            assertThat(multi).singleElement().satisfies(lib -> {
                assertThat(lib.functions()).containsExactly("first_fn", "second_fn");
                assertThat(lib.missing()).containsExactly("refused_fn", "absent_fn");
            });
            assertThat(multi).isEqualTo(single);
        } finally {
            process.destroyForcibly();
        }
    }

    private static List<AttachedLibrary> attachTo(int pid, boolean multi) throws IOException {
        if (!multi) {
            System.setProperty(LibraryAttacher.MULTI_PROPERTY, "false");
        } else {
            assumeTrue(BpfSupport.uprobeMulti(), "this kernel has no uprobe_multi links");
        }
        try (BpfObject object = BpfObject.open(CudaFamily.class, "cuda.bpf.o")) {
            AgentLog log = new AgentLog(System.err, false);
            LibraryAttacher attacher = new LibraryAttacher(log);
            attacher.prepare(object);
            assertThat(object.program("cuda_call_entry").isUprobeMulti()).isEqualTo(multi);
            object.load();
            BpfProgram entry = object.program("cuda_call_entry"), exit = object.program("cuda_call_exit");
            attacher.add(new UprobePlan("test", "test program", "aiscope-no-such-library-*.so", List.of(
                    new UprobePlan.Probe("first_fn", entry, exit, 1),
                    new UprobePlan.Probe("refused_fn", entry, exit, 2),
                    new UprobePlan.Probe("absent_fn", entry, exit, 3),
                    new UprobePlan.Probe("second_fn", entry, exit, 4))));
            attacher.scan(pid, io.aiscope.target.ProcessMaps.read(pid));
            assertThat(log.warnings()).anyMatch(w -> w.contains("cannot probe refused_fn"));
            if (multi) {
                assertThat(log.warnings()).as("the link for all three failed first")
                        .anyMatch(w -> w.contains("uprobe_multi") && w.contains("one by one"));
            }
            assertThat(uprobeLinks().probes()).hasSize(4); // entry and return of the two probed functions
            return attacher.attached();
        } finally {
            System.clearProperty(LibraryAttacher.MULTI_PROPERTY);
        }
    }

    private static Session cudaSession() {
        Session session = new Session(new AgentLog(System.err, false), new ProcessNames(100));
        try {
            session.load(Families.create(List.of("cuda")));
            session.start(false);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        return session;
    }

    /** Reads the uprobe links among this process's fds (their fdinfo). */
    private static Links uprobeLinks() throws IOException {
        Map<String, Integer> byType = new TreeMap<>();
        Set<Probe> probes = new HashSet<>();
        List<Path> fds = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fdinfo"))) {
            dir.forEach(fds::add);
        }
        for (Path fd : fds) {
            String info;
            try {
                info = Files.readString(fd);
            } catch (IOException closedMeanwhile) {
                continue;
            }
            Map<String, String> fields = new TreeMap<>();
            List<String> lines = info.lines().toList();
            for (String line : lines) {
                int tab = line.indexOf(":\t");
                if (tab > 0) {
                    fields.put(line.substring(0, tab), line.substring(tab + 2).strip());
                }
            }
            String type = fields.get("link_type");
            if (type == null) {
                continue;
            }
            switch (type) {
                case "perf" -> {
                    String event = fields.getOrDefault("event_type", "");
                    if (!event.equals("uprobe") && !event.equals("uretprobe")) {
                        continue;
                    }
                    probes.add(new Probe(fields.get("prog_tag"), event.equals("uretprobe"),
                            fields.get("name"), Long.decode(fields.get("offset")), Long.parseLong(fields.get("cookie"))));
                }
                case "uprobe_multi", "uretprobe_multi" -> {
                    // After the header line "cookie offset ref_ctr_offset", one line per uprobe.
                    int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("cookie\t")).findFirst().orElseThrow());
                    int count = Integer.parseInt(fields.get("uprobe_cnt"));
                    for (String row : lines.subList(header + 1, header + 1 + count)) {
                        String[] cols = row.trim().split("\\s+");
                        probes.add(new Probe(fields.get("prog_tag"), type.equals("uretprobe_multi"), fields.get("path"),
                                Long.decode(cols[1]), Long.parseLong(cols[0])));
                    }
                }
                default -> {
                    continue;
                }
            }
            byType.merge(type, 1, Integer::sum);
        }
        return new Links(byType, probes);
    }
}
