package io.aiscope.probe.cuda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.engine.ProcessNames;
import io.aiscope.symbols.Demangler;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static io.aiscope.probe.cuda.CudaFunction.*;
import static io.aiscope.probe.cuda.DriverFunction.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The aggregation of driver-API calls: one ledger with the runtime's, nothing counted twice when the runtime's
 * calls are made of driver calls, kernels named through the CUfunction handles cuModuleGetFunction returned.
 */
@Tag("unit")
class CudaDriverStatsTest {
    private static final int PID = 4242;
    private static final long MIB = 1 << 20;
    private static final String VEC_ADD = "_ZN14aiscope_driver10vector_addEPKfS1_Pfi";

    private final CudaStats stats = new CudaStats((pid, addr, location) -> Optional.empty(),
            Demangler.create()::demangle);

    private void call(ProbedFunction fn, long ptr, long bytes, long func, int kind, boolean insideRuntime) {
        stats.record(fn, PID, 0, 0, 1000, ptr, bytes, func, kind, null, insideRuntime);
    }

    private JsonNode report() {
        ObjectNode out = new ObjectMapper().createObjectNode();
        new CudaReport(stats).write(out, new ProcessNames(10));
        return out;
    }

    @Test
    void driverAllocationsShareTheLedgerAndAreReportedApart() {
        call(cuMemAlloc_v2, 0xa000, 4 * MIB, 0, 0, false);
        call(cuMemAllocManaged, 0xb000, 2 * MIB, 0, 0, false);
        call(cudaMalloc, 0xc000, MIB, 0, 0, false);
        call(cuMemFree_v2, 0xc000, 0, 0, 0, false);   // the driver frees what the runtime allocated
        call(cudaFree, 0xb000, 0, 0, 0, false);       // and the other way round
        JsonNode r = report();
        assertThat(r.get("malloc_bytes").asLong()).isEqualTo(7 * MIB);
        assertThat(r.get("free_bytes").asLong()).isEqualTo(3 * MIB);
        assertThat(r.get("outstanding_bytes").asLong()).isEqualTo(4 * MIB);
        assertThat(r.get("driver_malloc_bytes").asLong()).isEqualTo(6 * MIB);
        assertThat(r.get("driver_free_bytes").asLong()).isEqualTo(2 * MIB);
        assertThat(r.get("driver_outstanding_bytes").asLong()).isEqualTo(4 * MIB);
        assertThat(r.get("unmatched_frees").asLong()).isZero();
        assertThat(r.get("processes").get(0).get("leaks").get(0).get("function").asText()).isEqualTo("cuMemAlloc_v2");
        assertThat(r.get("calls").get("cuMemAlloc_v2").get("bytes").asLong()).isEqualTo(4 * MIB);
    }

    /** libcudart's own driver calls: counted as calls, never as memory, copies, launches or sync time again. */
    @Test
    void driverCallsInsideRuntimeCallsAreCallsOnly() {
        call(cuMemAlloc_v2, 0xa000, 4 * MIB, 0, 0, true);
        call(cudaMalloc, 0xa000, 4 * MIB, 0, 0, false);
        call(cuMemcpyHtoD_v2, 0, MIB, 0, CopyKind.HtoD.ordinal(), true);
        call(cudaMemcpy, 0, MIB, 0, CopyKind.HtoD.ordinal(), false);
        call(cuStreamSynchronize, 0, 0, 0, 0, true);
        call(cudaStreamSynchronize, 0, 0, 0, 0, false);
        call(cuMemFree_v2, 0xa000, 0, 0, 0, true);
        JsonNode r = report();
        assertThat(r.get("malloc_bytes").asLong()).isEqualTo(4 * MIB);
        assertThat(r.get("outstanding_bytes").asLong()).isEqualTo(4 * MIB);   // only the runtime frees count
        assertThat(r.get("driver_malloc_bytes").asLong()).isZero();
        assertThat(r.get("memcpy_bytes").get("HtoD").asLong()).isEqualTo(MIB);
        assertThat(r.get("sync_blocked_ms").asDouble()).isEqualTo(0.001);
        assertThat(r.get("driver_calls_inside_runtime").asLong()).isEqualTo(4);
        assertThat(r.get("calls").get("cuMemAlloc_v2").get("count").asLong()).isEqualTo(1);
        assertThat(r.get("calls").get("cuMemAlloc_v2").get("inside_runtime").asLong()).isEqualTo(1);
        assertThat(r.get("calls").get("cudaMalloc").has("inside_runtime")).isFalse();
    }

    @Test
    void driverLaunchesAreNamedByTheirHandlesNamePerProcess() {
        stats.functionNamed(PID, 0, 0x5000, VEC_ADD);
        stats.functionNamed(PID, 0, 0x6000, "driver_touch");
        stats.functionNamed(PID, 500, 0x7000, "missing_kernel");   // CUDA_ERROR_NOT_FOUND: names nothing
        call(cuLaunchKernel, 0, 0, 0x5000, 0, false);
        call(cuLaunchKernel, 0, 0, 0x5000, 0, false);
        call(cuLaunchKernel, 0, 0, 0x6000, 0, false);
        call(cuLaunchKernel, 0, 0, 0x7000, 0, false);
        call(cuLaunchKernel, 0, 0, 0x6000, 0, true);               // the runtime's own: not a launch again
        stats.record(cuLaunchKernel, PID + 1, 0, 0, 10, 0, 0, 0x5000, 0, null, false); // another process's handle
        JsonNode r = report();
        assertThat(r.get("kernel_launches").asLong()).isEqualTo(5);
        JsonNode kernels = r.get("kernels");
        assertThat(kernels).hasSize(4);
        assertThat(kernels.get(0).get("symbol").asText())
                .isEqualTo("aiscope_driver::vector_add(float const*, float const*, float*, int)");
        assertThat(kernels.get(0).get("mangled").asText()).isEqualTo(VEC_ADD);
        assertThat(kernels.get(0).get("api").asText()).isEqualTo("driver");
        assertThat(kernels.get(0).get("launches").asLong()).isEqualTo(2);
        assertThat(kernels).extracting(k -> k.get("symbol").asText())
                .containsExactlyInAnyOrder("aiscope_driver::vector_add(float const*, float const*, float*, int)",
                        "driver_touch", "0x7000", "0x5000");
        assertThat(stats.kernelName(cuLaunchKernel, PID, 0x6000, null)).isEqualTo("driver_touch");
    }

    @Test
    void aHandleNamedAgainNamesItsNewKernel() {
        stats.functionNamed(PID, 0, 0x5000, "first_kernel");
        call(cuLaunchKernel, 0, 0, 0x5000, 0, false);
        stats.functionNamed(PID, 0, 0x5000, "second_kernel");   // module unloaded, memory reused
        call(cuLaunchKernel, 0, 0, 0x5000, 0, false);
        assertThat(report().get("kernels")).extracting(k -> k.get("symbol").asText() + " " + k.get("launches"))
                .containsExactlyInAnyOrder("first_kernel 1", "second_kernel 1");
    }

    @Test
    void driverCopiesTakeTheirDirectionFromTheFunctionAndSynchronousOnesGiveABandwidth() {
        stats.record(cuMemcpyDtoH_v2, PID, 0, 0, 1_000_000, 0, 1L << 30, 0, CopyKind.DtoH.ordinal(), null, false);
        stats.record(cuMemcpyDtoDAsync_v2, PID, 0, 0, 10, 0, 5 * MIB, 0, CopyKind.DtoD.ordinal(), null, false);
        JsonNode r = report();
        assertThat(r.get("memcpy_bytes").get("DtoH").asLong()).isEqualTo(1L << 30);
        assertThat(r.get("memcpy_bytes").get("DtoD").asLong()).isEqualTo(5 * MIB);
        assertThat(r.get("memcpy_sync_bandwidth_gib_s").get("DtoH").asDouble()).isEqualTo(1000.0);
        assertThat(r.get("memcpy_sync_bandwidth_gib_s").has("DtoD")).isFalse();
    }
}
