package io.aiscope.cli;

import io.aiscope.bpf.BpfLink;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BpfProgram;
import io.aiscope.bpf.BpfSupport;
import io.aiscope.bpf.BpfSupport.ProgramType;
import io.aiscope.bpf.PerfEvent;
import io.aiscope.engine.Families;
import io.aiscope.engine.Kernel;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.ProcessNames;
import io.aiscope.output.CheckList;
import io.aiscope.probe.cuda.CudaFunction;
import io.aiscope.probe.proc.ProcFamily;
import io.aiscope.probe.tls.TlsFamily;
import io.aiscope.report.RunReport;
import io.aiscope.target.LibraryCandidate;
import io.aiscope.target.LibraryFinder;
import io.aiscope.target.LibrarySearch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check what aiscope can trace on this machine: kernel, BTF, privileges, libbpf, which BPF program",
                "types load and attach, the CUDA runtimes and NVIDIA driver present. Exit code 0 when tracing works, 1 when not."})
final class DoctorCommand implements Callable<Integer> {
    private static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");

    @Option(names = "--json", description = "Print the checks as one JSON object")
    boolean json;

    private final CheckList checks = new CheckList();

    @Override
    public Integer call() throws IOException {
        Kernel kernel = Kernel.current();
        checks.ok("kernel", kernel.release() + " (" + System.getProperty("os.arch") + ")");
        if (kernel.hasBtf()) {
            checks.ok("btf", BTF + " present: aiscope's CO-RE programs can adapt to this kernel");
        } else {
            checks.fail("btf", BTF + " is missing: aiscope's programs need a kernel built with CONFIG_DEBUG_INFO_BTF=y");
        }
        if (kernel.canTrace()) {
            checks.ok("privileges", ("root".equals(System.getProperty("user.name")) ? "root" : "CAP_BPF and CAP_PERFMON")
                    + ": may load BPF programs");
        } else {
            checks.fail("privileges", "neither root nor CAP_BPF+CAP_PERFMON: run aiscope with sudo");
        }
        boolean libbpf = checkLibbpf();
        if (checks.passed() && libbpf) {
            checkPrograms(kernel);
        } else {
            checks.warn("bpf programs", "not tried: fix the failures above first");
        }
        checkCuda();
        checkOpenSsl();
        if (json) {
            System.out.println(RunReport.JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(checks.toJson(RunReport.JSON)));
        } else {
            checks.print(System.out);
        }
        return checks.passed() ? 0 : 1;
    }

    private boolean checkLibbpf() {
        try {
            String version = BpfSupport.libbpfVersion();
            checks.ok("libbpf", "libbpf " + version);
            return true;
        } catch (RuntimeException | LinkageError e) {
            Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
            checks.fail("libbpf", "cannot use libbpf.so.1: " + cause.getMessage());
            return false;
        }
    }

    /** Loads each family's object on its own (own maps), then attaches one program of each kind they use. */
    private void checkPrograms(Kernel kernel) {
        List<BpfObject> objects = new ArrayList<>();
        try {
            Map<String, BpfProgram> byKind = new LinkedHashMap<>();
            for (ProbeFamily family : families()) {
                loadFamily(family, kernel).ifPresent(object -> {
                    objects.add(object);
                    for (BpfProgram p : object.programs()) {
                        // The cuda family's generic entry program reads no arguments: any function suits it.
                        if (p.autoload() && (!byKind.containsKey(kind(p.section())) || p.name().equals("cuda_call_entry"))) {
                            byKind.put(kind(p.section()), p);
                        }
                    }
                });
            }
            attachKind("tp_btf", byKind, null);
            attachKind("tracepoint", byKind, ProgramType.TRACEPOINT);
            attachKind("raw_tp", byKind, ProgramType.RAW_TRACEPOINT);
            checkUprobes(byKind);
            checkPerfEvent(byKind);
            checkKprobes(kernel, byKind);
            checkFentry(byKind);
        } finally {
            objects.forEach(BpfObject::close);
        }
    }

    private static List<ProbeFamily> families() {
        List<ProbeFamily> all = new ArrayList<>();
        ProcFamily.Listener ignore = new ProcFamily.Listener() {
            @Override
            public void exec(int pid, String filename) {}

            @Override
            public void librariesChanged(int pid, boolean stopped) {}
        };
        all.add(new ProcFamily(ignore, new ProcessNames(1)));
        all.addAll(Families.create(List.of()));
        return all;
    }

    private Optional<BpfObject> loadFamily(ProbeFamily family, Kernel kernel) {
        String name = "family " + family.name();
        BpfObject object = null;
        try {
            object = family.open();
            family.beforeLoad(object, kernel);
            object.load();
            List<String> off = object.programs().stream().filter(p -> !p.autoload()).map(BpfProgram::name).toList();
            checks.ok(name, "loads (" + (object.programs().size() - off.size()) + " programs"
                    + (off.isEmpty() ? "" : "; switched off on this kernel: " + String.join(", ", off)) + ")");
            return Optional.of(object);
        } catch (RuntimeException e) {
            if (object != null) {
                object.close();
            }
            if (family instanceof ProcFamily) {
                checks.fail(name, "does not load: " + e.getMessage() + "; aiscope cannot follow processes without it");
            } else {
                checks.warn(name, "does not load here: " + e.getMessage() + "; aiscope runs without this family");
            }
            return Optional.empty();
        }
    }

    /** The program kind a section names, with libbpf's aliases folded ("tp/x" is a tracepoint). */
    private static String kind(String section) {
        String prefix = section.contains("/") ? section.substring(0, section.indexOf('/')) : section;
        return switch (prefix) {
            case "tp" -> "tracepoint";
            case "raw_tracepoint" -> "raw_tp";
            case "uprobe.s" -> "uprobe";
            case "uretprobe.s" -> "uretprobe";
            case "kretprobe" -> "kprobe";
            case "fexit", "fmod_ret" -> "fentry";
            default -> prefix;
        };
    }

    /** Attaches the family program of {@code kind}; with none, asks whether such programs load at all. */
    private void attachKind(String kind, Map<String, BpfProgram> byKind, ProgramType fallback) {
        BpfProgram program = byKind.get(kind);
        if (program != null) {
            attach(kind, program.name() + " (" + program.section() + ")", program::attach);
        } else if (fallback != null) {
            if (BpfSupport.loads(fallback)) {
                checks.ok(kind, "programs load (no aiscope program of this kind to attach)");
            } else {
                checks.warn(kind, "not available here: the kernel refuses " + kind + " programs");
            }
        }
    }

    private void attach(String check, String what, Supplier<BpfLink> attach) {
        try (BpfLink link = attach.get()) {
            checks.ok(check, "attached " + what);
        } catch (RuntimeException e) {
            checks.fail(check, "cannot attach " + what + ": " + e.getMessage());
        }
    }

    /** A uprobe and a uretprobe on libc's getpid, with the cuda family's entry and exit programs. */
    private void checkUprobes(Map<String, BpfProgram> byKind) {
        BpfProgram entry = byKind.get("uprobe");
        BpfProgram exit = byKind.get("uretprobe");
        if (entry == null) {
            checks.warn("uprobe", "not tried: no family with uprobes loaded");
            return;
        }
        Optional<Path> libc = new LibraryFinder(Set.of("getpid")).findOnSystem("libc.so.6").found().stream()
                .map(LibraryCandidate::path).findFirst();
        if (libc.isEmpty()) {
            checks.warn("uprobe", "not tried: no libc.so.6 with getpid found");
            return;
        }
        attach("uprobe", entry.name() + " to " + libc.get() + ":getpid",
                () -> entry.attachUprobe(libc.get(), "getpid", false, -1, 0));
        if (exit != null) {
            attach("uretprobe", exit.name() + " to " + libc.get() + ":getpid",
                    () -> exit.attachUprobe(libc.get(), "getpid", true, -1, 0));
        }
        if (BpfSupport.uprobeMulti()) {
            checks.ok("uprobe_multi", "supported: one link per library and program, detached in one step");
        } else {
            checks.warn("uprobe_multi", "not available here: one uprobe link per function instead"
                    + " (attach and detach take longer)");
        }
    }

    private void checkPerfEvent(Map<String, BpfProgram> byKind) {
        try {
            BpfSupport.checkPerfEvent();
        } catch (RuntimeException e) {
            checks.warn("perf_event", "not available here: " + e.getMessage() + "; CPU sampling cannot work");
            return;
        }
        BpfProgram program = byKind.get("perf_event");
        if (program != null) {
            attach("perf_event", program.name() + " to a CPU-clock event on CPU 0",
                    () -> program.attachPerfEvent(PerfEvent.cpuClock(0, 99)));
        } else if (BpfSupport.loads(ProgramType.PERF_EVENT)) {
            checks.ok("perf_event", "CPU-clock sampling events open and perf_event programs load");
        } else {
            checks.warn("perf_event", "not available here: the kernel refuses perf_event programs; CPU sampling cannot work");
        }
    }

    private void checkKprobes(Kernel kernel, Map<String, BpfProgram> byKind) {
        if (!kernel.hasKprobes()) {
            checks.warn("kprobe", "not available here: the kernel is built without kprobes (no kprobe PMU);"
                    + " aiscope uses tracepoints and tp_btf instead and switches off programs that need kprobes");
            return;
        }
        BpfProgram program = byKind.get("kprobe");
        if (program != null) {
            attach("kprobe", program.name() + " (" + program.section() + ")", program::attach);
        } else {
            checks.ok("kprobe", "kprobe PMU present");
        }
    }

    private void checkFentry(Map<String, BpfProgram> byKind) {
        BpfProgram program = byKind.get("fentry");
        if (program != null) {
            attach("fentry", program.name() + " (" + program.section() + ")", program::attach);
        } else if (BpfSupport.loads(ProgramType.TRACING)) {
            checks.ok("fentry", "fentry/fexit programs load");
        } else {
            checks.warn("fentry", "not available here: the kernel refuses fentry/fexit (trampoline) programs;"
                    + " aiscope uses tp_btf and tracepoints instead, at a little more cost per event");
        }
    }

    private void checkCuda() {
        Set<String> runtimeFunctions = Arrays.stream(CudaFunction.values()).map(Enum::name).collect(Collectors.toSet());
        checkLibrary("cuda runtime", "a CUDA runtime", "libcudart.so*", runtimeFunctions, "no libcudart in the standard"
                + " library directories; runtimes bundled with an application (a PyTorch wheel) are still found when a"
                + " traced process maps them");
        List<Path> drivers = new LibraryFinder(Set.of("cuInit")).findOnSystem("libcuda.so*").found().stream()
                .map(LibraryCandidate::path).toList();
        List<Path> devices = nvidiaDevices();
        if (!drivers.isEmpty() && !devices.isEmpty()) {
            checks.ok("nvidia driver", drivers.getFirst() + "; devices " + devices.stream().map(Path::toString)
                    .collect(Collectors.joining(" ")));
        } else {
            String missing = drivers.isEmpty() && devices.isEmpty() ? "no libcuda.so.1 and no /dev/nvidia* devices"
                    : drivers.isEmpty() ? "no libcuda.so.1" : "no /dev/nvidia* devices";
            checks.warn("nvidia driver", missing + ": every CUDA call fails (cudaErrorInsufficientDriver, 35);"
                    + " aiscope still traces the calls, but no GPU work happens");
        }
    }

    private void checkOpenSsl() {
        checkLibrary("openssl", "OpenSSL's libssl", "libssl.so*", TlsFamily.probedFunctions(), "no libssl in the"
                + " standard library directories: TLS plaintext is seen only in libraries bundled with an application,"
                + " or executables that export OpenSSL's functions (node), when a traced process maps them");
    }

    /** Which copies of a probed library the system has, and how many of the functions aiscope probes each defines. */
    private void checkLibrary(String check, String what, String glob, Set<String> functions, String noneFound) {
        LibrarySearch found = new LibraryFinder(functions).findOnSystem(glob);
        for (LibraryCandidate c : found.found()) {
            checks.ok(check, c.path() + " (" + c.definedNames().size() + " of " + functions.size() + " probed functions)");
        }
        for (Path p : found.withoutWantedFunctions()) {
            checks.warn(check, p + " is named like " + what + " but defines none of its functions: not probed");
        }
        if (found.found().isEmpty()) {
            checks.warn(check, noneFound);
        }
    }

    private static List<Path> nvidiaDevices() {
        try (Stream<Path> dev = Files.list(Path.of("/dev"))) {
            return dev.filter(p -> p.getFileName().toString().startsWith("nvidia")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
