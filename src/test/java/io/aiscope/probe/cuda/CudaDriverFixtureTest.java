package io.aiscope.probe.cuda;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.Workloads;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The driver-API probes on calls that succeed, against a TEST FIXTURE: the libcuda.so.1 that driver_census links
 * is workloads/cuda/fake-libcuda.c, not the NVIDIA driver, which no machine without a GPU has. Its functions have
 * the real exported names and prototypes (compiled against CUDA 13's cuda.h) and succeed with made-up pointers and
 * handles, so this shows that aiscope finds a mapped libcuda.so.1, reads the driver calls' arguments and results
 * and aggregates them exactly; it says nothing about the real driver's behaviour. The report must equal
 * driver_census's own account of what it called: counts and codes per function, bytes allocated, freed and
 * outstanding, the leaked pointers, copies per direction, launches per kernel by demangled name.
 */
@Tag("kernel")
class CudaDriverFixtureTest {
    private static final List<String> DRIVER =
            ProbedFunction.Api.DRIVER.functions().stream().map(ProbedFunction::name).toList();
    private static final List<String> ALLOCATIONS = List.of("cuMemAlloc_v2", "cuMemAllocAsync", "cuMemAllocManaged");
    private static final List<String> SHIM = List.of("cudaMalloc", "cudaFree", "cudaMemcpy", "cudaLaunchKernel",
            "cudaStreamSynchronize");

    /**
     * The fixture lies in no standard library directory, so aiscope finds it by scanning the process after exec:
     * driver_census waits, at most this long, until the functions it calls carry uprobes before it calls them.
     */
    private static final String PROBES_WAIT_MS = "20000";

    private record Run(JsonNode census, JsonNode cuda, JsonNode report) {}

    private static Run trace(String... args) throws IOException {
        String[] command = new String[args.length + 3];
        command[0] = Workloads.get("driver_census").toString();
        command[1] = "--wait-for-probes";
        command[2] = PROBES_WAIT_MS;
        System.arraycopy(args, 0, command, 3, args.length);
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "cuda"), command);
        Run r = checked(t.result(), t.report());
        assertThat(r.census().get("probed_before_start").asBoolean()).as("probes attached in time").isTrue();
        return r;
    }

    private static Run checked(Aiscope.Result result, JsonNode report) throws IOException {
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode census = Aiscope.JSON.readTree(result.stdout());
        assertThat(census.get("libcuda").asText()).endsWith("/fixture-libcuda/libcuda.so.1");
        assertThat(report.get("agent").get("dropped").asLong()).isZero();
        assertThat(report.get("agent").get("undecodable").asLong()).isZero();
        return new Run(census, report.get("cuda"), report);
    }

    /** The library aiscope probed as the CUDA driver, and the functions it probed there. */
    private static Set<String> probedDriverFunctions(JsonNode report, String path) {
        Set<String> probed = new HashSet<>();
        for (JsonNode lib : report.get("agent").get("libraries")) {
            if (lib.get("kind").asText().equals("CUDA driver")) {
                assertThat(lib.get("path").asText()).isEqualTo(path);
                lib.get("probed").forEach(f -> probed.add(f.asText()));
            }
        }
        return probed;
    }

    @Test
    void reportMatchesWhatTheProgramDidThroughTheFixtureDriverExactly() throws IOException {
        Run r = trace("--threads", "4", "--allocs", "400", "--alloc-size", "1048576", "--frees", "200",
                "--leak", "3", "--copies", "10", "--launches", "300");
        JsonNode census = r.census(), cuda = r.cuda();
        assertThat(census.get("threads").asInt()).isEqualTo(4);

        assertThat(probedDriverFunctions(r.report(), census.get("libcuda").asText()))
                .as("the fixture libcuda.so.1, found mapped by the process, probed as the CUDA driver")
                .containsExactlyInAnyOrderElementsOf(DRIVER);

        assertCallsMatch(census, cuda, DRIVER);
        assertThat(census.get("functions").get("cuMemAlloc_v2").get("codes").get("1").asLong())
                .as("the invalid allocations, one per thread").isEqualTo(4);
        for (String fn : SHIM) {
            assertThat(cuda.get("calls").has(fn)).as(fn).isFalse();
        }

        long requested = 0;
        for (String fn : ALLOCATIONS) {
            requested += census.get("functions").get(fn).get("bytes").asLong();
        }
        assertThat(cuda.get("malloc_requested_bytes").asLong()).isEqualTo(requested);
        assertThat(cuda.get("malloc_bytes").asLong()).isEqualTo(census.get("allocated_bytes").asLong())
                .isEqualTo(4 * (4L << 20) + 400 * (1L << 20) + 3 * 192 * 1024 + 4 * 64 * 1024);
        assertThat(cuda.get("free_bytes").asLong()).isEqualTo(census.get("freed_bytes").asLong());
        assertThat(cuda.get("outstanding_bytes").asLong()).isEqualTo(census.get("live_bytes_at_exit").asLong())
                .isEqualTo(200 * (1L << 20) + 3 * 192 * 1024);
        assertThat(cuda.get("driver_malloc_bytes").asLong()).isEqualTo(census.get("driver_allocated_bytes").asLong());
        assertThat(cuda.get("driver_free_bytes").asLong()).isEqualTo(census.get("driver_freed_bytes").asLong());
        assertThat(cuda.get("driver_outstanding_bytes").asLong())
                .isEqualTo(census.get("driver_live_bytes_at_exit").asLong());
        assertThat(cuda.get("driver_calls_inside_runtime").asLong()).isZero();
        assertThat(cuda.get("unmatched_frees").asLong()).isZero();

        assertThat(cuda.get("processes")).hasSize(1);
        JsonNode process = cuda.get("processes").get(0);
        assertThat(process.get("pid").asInt()).isEqualTo(census.get("pid").asInt());
        assertLeaksMatch(census, process);
        Set<String> leaks = new HashSet<>();
        process.get("leaks").forEach(l -> {
            if (l.get("bytes").asLong() == census.get("leak").get("size").asLong()) {
                leaks.add(l.get("ptr").asText());
            }
        });
        Set<String> leaked = new HashSet<>();
        census.get("leak").get("ptrs").forEach(p -> leaked.add(p.asText()));
        assertThat(leaked).hasSize(3);
        assertThat(leaks).isEqualTo(leaked);

        assertCopiesMatch(census, cuda);
        assertThat(cuda.get("memcpy_bytes").get("HtoD").asLong()).isEqualTo(10 * (1L << 20));
        assertThat(cuda.get("memcpy_sync_bandwidth_gib_s").has("DtoH")).as("synchronous driver copies").isTrue();

        assertKernelsMatch(census, cuda);
        assertThat(cuda.get("kernel_launches").asLong()).isEqualTo(300);
        assertSyncTimeMatches(census, cuda);
    }

    /**
     * driver_census's stand-in for libcudart (five runtime entry points in the program itself, each implemented with
     * the driver call a runtime makes for it, two of them by tail call): every call counted under its own name, and
     * the bytes, copies, launches and sync time of each once, as the runtime call that made the driver call.
     */
    @Test
    void driverCallsMadeInsideRuntimeCallsAreCountedAsCallsOnly() throws IOException {
        Run r = trace("--threads", "3", "--allocs", "30", "--frees", "12", "--leak", "2", "--copies", "4",
                "--launches", "30", "--runtime-shim", "60");
        JsonNode census = r.census(), cuda = r.cuda();
        assertCallsMatch(census, cuda, DRIVER);
        assertCallsMatch(census, cuda, SHIM);
        long inside = 0;
        for (String fn : DRIVER) {
            inside += census.get("functions").get(fn).get("inside_runtime").asLong();
        }
        assertThat(census.get("functions").get("cuMemAlloc_v2").get("inside_runtime").asLong()).isEqualTo(60);
        assertThat(census.get("functions").get("cuMemFree_v2").get("inside_runtime").asLong()).isEqualTo(60);
        assertThat(cuda.get("driver_calls_inside_runtime").asLong()).isEqualTo(inside).isEqualTo(5 * 60);

        assertThat(cuda.get("malloc_bytes").asLong()).isEqualTo(census.get("allocated_bytes").asLong());
        assertThat(cuda.get("free_bytes").asLong()).isEqualTo(census.get("freed_bytes").asLong());
        assertThat(cuda.get("outstanding_bytes").asLong()).isEqualTo(census.get("live_bytes_at_exit").asLong());
        assertThat(cuda.get("driver_malloc_bytes").asLong()).isEqualTo(census.get("driver_allocated_bytes").asLong())
                .isEqualTo(census.get("allocated_bytes").asLong() - 60 * 256 * 1024);
        assertLeaksMatch(census, cuda.get("processes").get(0));
        assertCopiesMatch(census, cuda);
        assertKernelsMatch(census, cuda);
        assertThat(cuda.get("kernel_launches").asLong()).isEqualTo(census.get("kernel_launches").asLong())
                .isEqualTo(30 + 60);
        assertSyncTimeMatches(census, cuda);
    }

    /**
     * A libcuda.so.1 in a library directory (here the fixture's, through LD_LIBRARY_PATH, as a driver installed in
     * /usr/lib would be) is probed before the command starts: no waiting needed.
     */
    @Test
    void aDriverInALibraryDirectoryIsProbedFromTheFirstCall() throws IOException {
        String fixtureDir = Workloads.dir().resolve("fixture-libcuda").toString();
        Path json = Files.createTempFile("aiscope-report", ".json");
        try {
            Aiscope.Result result = Aiscope.run(Map.of("LD_LIBRARY_PATH", fixtureDir), "run", "--json",
                    json.toString(), "--probes", "cuda", "--", Workloads.get("driver_census").toString(),
                    "--threads", "2", "--allocs", "10", "--frees", "4", "--leak", "1", "--copies", "2",
                    "--launches", "9");
            Run r = checked(result, Aiscope.JSON.readTree(json.toFile()));
            assertThat(probedDriverFunctions(r.report(), fixtureDir + "/libcuda.so.1"))
                    .containsExactlyInAnyOrderElementsOf(DRIVER);
            assertCallsMatch(r.census(), r.cuda(), DRIVER);
            assertThat(r.cuda().get("outstanding_bytes").asLong())
                    .isEqualTo(r.census().get("live_bytes_at_exit").asLong());
            assertKernelsMatch(r.census(), r.cuda());
        } finally {
            Files.deleteIfExists(json);
        }
    }

    /** Per function: calls, errors by code, and (driver functions) how many were made inside runtime calls. */
    private static void assertCallsMatch(JsonNode census, JsonNode cuda, List<String> functions) {
        for (String fn : functions) {
            JsonNode expected = census.get("functions").get(fn);
            JsonNode seen = CensusAssertions.assertCallMatches(census, cuda, fn);
            assertThat(seen.get("count").asLong()).as(fn + " calls").isPositive();
            if (fn.startsWith("cu") && !fn.startsWith("cuda")) {
                assertThat(seen.get("inside_runtime").asLong()).as(fn + " inside runtime calls")
                        .isEqualTo(expected.get("inside_runtime").asLong());
            }
            if (expected.has("bytes")) {
                assertThat(seen.get("bytes").asLong()).as(fn + " bytes").isEqualTo(expected.get("bytes").asLong());
            }
        }
    }

    /** Every allocation live at exit, by pointer, size and the function that made it; nothing else. */
    private static void assertLeaksMatch(JsonNode census, JsonNode process) {
        Set<String> expected = new HashSet<>();
        census.get("live").forEach(l -> expected.add(l.get("ptr").asText() + " " + l.get("bytes").asLong() + " "
                + l.get("function").asText()));
        Set<String> seen = new HashSet<>();
        process.get("leaks").forEach(l -> seen.add(l.get("ptr").asText() + " " + l.get("bytes").asLong() + " "
                + l.get("function").asText()));
        assertThat(seen).isNotEmpty().isEqualTo(expected);
    }

    private static void assertCopiesMatch(JsonNode census, JsonNode cuda) {
        for (String dir : List.of("HtoD", "DtoH", "DtoD")) {
            assertThat(cuda.get("memcpy_bytes").get(dir).asLong()).as("copied " + dir)
                    .isEqualTo(census.get("memcpy_bytes").get(dir).asLong()).isPositive();
            assertThat(cuda.get("memcpy_requested_bytes").get(dir).asLong()).as("asked " + dir)
                    .isEqualTo(census.get("memcpy_bytes").get(dir).asLong());
        }
        for (String dir : List.of("HtoH", "Default")) {
            assertThat(cuda.get("memcpy_bytes").get(dir).asLong()).as(dir).isZero();
        }
    }

    /** Launches per kernel, by the demangled name (driver: from cuModuleGetFunction; runtime: from the ELF symbol). */
    private static void assertKernelsMatch(JsonNode census, JsonNode cuda) {
        Map<String, String> expected = new HashMap<>();
        census.get("kernels").forEach(k -> {
            if (k.get("launches").asLong() > 0) {
                expected.put(k.get("name").asText(), k.get("api").asText() + " " + k.get("launches").asLong()
                        + (k.get("api").asText().equals("driver") ? " " + k.get("symbol").asText() : ""));
            }
        });
        Map<String, String> seen = new HashMap<>();
        cuda.get("kernels").forEach(k -> seen.put(k.get("symbol").asText(), k.get("api").asText() + " "
                + k.get("launches").asLong() + (k.get("api").asText().equals("driver") ? " " + k.get("mangled").asText()
                : "")));
        assertThat(expected).containsKey("aiscope_driver::vector_add(float const*, float const*, float*, int)")
                .containsKey("void scale<float>(float*, float, int)").containsKey("driver_touch");
        assertThat(seen).isEqualTo(expected);
    }

    /** Time blocked in synchronisation, each once: at least what the fixture sleeps, at most what the program saw. */
    private static void assertSyncTimeMatches(JsonNode census, JsonNode cuda) {
        double blockedMs = cuda.get("sync_blocked_ms").asDouble();
        assertThat(blockedMs).isGreaterThanOrEqualTo(census.get("sync_calls").asLong() * 0.2)
                .isLessThanOrEqualTo(census.get("sync_ns").asLong() / 1e6);
    }
}
