package io.aiscope.probe.cuda;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.Workloads;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real libcudart.so.13, driven by cuda_census with a known sequence from several threads at once: aiscope's
 * report must equal the program's own account of what it called, with what result, how many bytes, which kernels.
 */
@Tag("kernel")
class CudaCensusTest {
    private static final List<String> PROBED = java.util.Arrays.stream(CudaFunction.values()).map(Enum::name)
            .filter(f -> !f.startsWith("__")).toList();

    /** cuda_census launches as CUDA 13 does (through __cudaGetKernel handles); _legacy as earlier releases did. */
    @ParameterizedTest
    @ValueSource(strings = {"cuda_census", "cuda_census_legacy"})
    void reportMatchesWhatTheProgramDidExactly(String program) throws IOException {
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "cuda"), Workloads.get(program).toString(),
                "--threads", "4", "--mallocs", "1000", "--malloc-size", "1048576", "--frees", "500",
                "--launches", "300", "--leak", "3");
        assertThat(t.result().exitCode()).as(t.result().stderr()).isZero();
        JsonNode census = Aiscope.JSON.readTree(t.result().stdout());
        JsonNode cuda = t.report().get("cuda");

        assertThat(census.get("threads").asInt()).isEqualTo(4);
        long handles = census.get("generated_calls").path("__cudaGetKernel").asLong();
        assertThat(cuda.get("calls").path("__cudaGetKernel").path("count").asLong()).isEqualTo(handles);
        assertThat(census.get("functions").get("cudaMalloc").get("calls").asLong()).isEqualTo(1003);
        for (String fn : PROBED) {
            CensusAssertions.assertCallMatches(census, cuda, fn);
        }

        long requestedAlloc = 0;
        for (String fn : List.of("cudaMalloc", "cudaMallocAsync", "cudaMallocManaged", "cudaMallocHost")) {
            requestedAlloc += census.get("functions").get(fn).get("bytes").asLong();
        }
        assertThat(cuda.get("malloc_requested_bytes").asLong()).isEqualTo(requestedAlloc);
        assertThat(cuda.get("malloc_bytes").asLong()).isEqualTo(census.get("allocated_bytes").asLong());
        assertThat(cuda.get("free_bytes").asLong()).isEqualTo(census.get("freed_bytes").asLong());
        assertThat(cuda.get("outstanding_bytes").asLong()).isEqualTo(census.get("live_bytes_at_exit").asLong());

        for (String dir : List.of("HtoD", "DtoH", "DtoD", "HtoH", "Default")) {
            assertThat(cuda.get("memcpy_requested_bytes").get(dir).asLong()).as("asked " + dir)
                    .isEqualTo(census.get("memcpy_bytes").get(dir).asLong());
        }
        long moved = census.get("functions").get("cudaMemcpy").get("bytes_ok").asLong()
                + census.get("functions").get("cudaMemcpyAsync").get("bytes_ok").asLong();
        long reportedMoved = 0;
        for (JsonNode v : cuda.get("memcpy_bytes")) {
            reportedMoved += v.asLong();
        }
        assertThat(reportedMoved).isEqualTo(moved);

        Map<String, Long> kernels = new HashMap<>();
        census.get("kernels").forEach(k -> kernels.put(k.get("name").asText(), k.get("launches").asLong()));
        Map<String, Long> seenKernels = new HashMap<>();
        cuda.get("kernels").forEach(k -> seenKernels.put(k.get("symbol").asText(), k.get("launches").asLong()));
        assertThat(kernels).hasSize(3);
        assertThat(seenKernels).isEqualTo(kernels);
        assertThat(cuda.get("kernel_launches").asLong()).isEqualTo(300);

        assertThat(cuda.get("processes")).hasSize(1);
        assertThat(cuda.get("processes").get(0).get("pid").asInt()).isEqualTo(census.get("pid").asInt());
        assertThat(t.report().get("exit_code").asInt()).isZero();
        assertThat(t.report().get("agent").get("dropped").asLong()).isZero();
        assertThat(t.report().get("agent").get("undecodable").asLong()).isZero();
    }

    @Test
    void exitCodeOfTheCommandIsPassedOn() {
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "cuda"), Workloads.get("cuda_census").toString(),
                "--threads", "1", "--mallocs", "1", "--frees", "1", "--launches", "3", "--exit-code", "7");
        assertThat(t.result().exitCode()).isEqualTo(7);
        assertThat(t.report().get("exit_code").asInt()).isEqualTo(7);
        assertThat(t.report().get("cuda").get("calls").get("cudaMalloc").get("count").asLong()).isEqualTo(1);
    }
}
