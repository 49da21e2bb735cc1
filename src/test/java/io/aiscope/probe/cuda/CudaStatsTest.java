package io.aiscope.probe.cuda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.engine.ProcessNames;
import io.aiscope.symbols.FileLocation;
import io.aiscope.symbols.ResolvedSymbol;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static io.aiscope.probe.cuda.CudaFunction.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The aggregation on calls that succeed (which no machine without a GPU produces): allocations matched to frees
 * by pointer, leaks, host memory apart, copies moved vs asked, bandwidth, kernel handles resolved to names.
 */
@Tag("unit")
class CudaStatsTest {
    private static final int PID = 4242;
    private static final long MIB = 1 << 20;

    private static final FileLocation IN_APP = new FileLocation(1, 2, 0x49c0);
    private static final ResolvedSymbol VEC_ADD =
            new ResolvedSymbol("/app", "_Z6vecAddPfS_S_i", "vecAdd(float*, float*, float*, int)", 0);

    /** Resolves 0x1000 while the process lives, and IN_APP (a place in a file) after it is gone. */
    private final CudaStats stats = new CudaStats((pid, addr, location) -> addr == 0x1000 || IN_APP.equals(location)
            ? Optional.of(VEC_ADD) : Optional.empty());

    private void call(CudaFunction fn, int ret, long durationNs, long ptr, long bytes, long func, int kind) {
        stats.record(fn, PID, ret, 0, durationNs, ptr, bytes, func, kind, null);
    }

    private JsonNode report() {
        ObjectNode out = new ObjectMapper().createObjectNode();
        new CudaReport(stats).write(out, new ProcessNames(10));
        return out;
    }

    @Test
    void allocationsAreMatchedToFreesByPointerAndTheRestIsALeak() {
        call(cudaMalloc, 0, 1000, 0xa000, 4 * MIB, 0, 0);
        call(cudaMalloc, 0, 1000, 0xb000, 2 * MIB, 0, 0);
        call(cudaMallocAsync, 0, 1000, 0xc000, MIB, 0, 0);
        call(cudaMalloc, 2, 1000, 0, 8 * MIB, 0, 0);          // cudaErrorMemoryAllocation: nothing held
        call(cudaMallocHost, 0, 1000, 0xd000, 3 * MIB, 0, 0);
        call(cudaFree, 0, 1000, 0xa000, 0, 0, 0);
        call(cudaFreeAsync, 0, 1000, 0xc000, 0, 0, 0);
        call(cudaFree, 0, 1000, 0xeeee, 0, 0, 0);             // allocated before aiscope attached
        JsonNode r = report();
        assertThat(r.get("malloc_bytes").asLong()).isEqualTo(7 * MIB);
        assertThat(r.get("malloc_requested_bytes").asLong()).isEqualTo(18 * MIB);
        assertThat(r.get("free_bytes").asLong()).isEqualTo(5 * MIB);
        assertThat(r.get("outstanding_bytes").asLong()).isEqualTo(2 * MIB);
        assertThat(r.get("host_outstanding_bytes").asLong()).isEqualTo(3 * MIB);
        assertThat(r.get("unmatched_frees").asLong()).isEqualTo(1);
        JsonNode leaks = r.get("processes").get(0).get("leaks");
        assertThat(leaks).hasSize(2);
        assertThat(leaks.get(0).get("ptr").asText()).isEqualTo("0xb000");
        assertThat(leaks.get(0).get("bytes").asLong()).isEqualTo(2 * MIB);
        assertThat(r.get("calls").get("cudaMalloc").get("errors_by_code").get("2").asLong()).isEqualTo(1);
    }

    @Test
    void aPointerHandedOutAgainReplacesItsStaleAllocation() {
        call(cudaMalloc, 0, 1000, 0xa000, 4 * MIB, 0, 0);
        call(cudaMalloc, 0, 1000, 0xa000, MIB, 0, 0);
        assertThat(report().get("outstanding_bytes").asLong()).isEqualTo(MIB);
    }

    @Test
    void copiesCountMovedBytesPerDirectionAndSyncBandwidth() {
        call(cudaMemcpy, 0, 1_000_000, 0, 1L << 30, 0, 1);       // HtoD, 1 GiB in 1 ms
        call(cudaMemcpyAsync, 0, 10, 0, 5 * MIB, 0, 2);          // DtoH, async: no bandwidth
        call(cudaMemcpy, 1, 10, 0, 7 * MIB, 0, 3);               // failed DtoD: asked, not moved
        call(cudaMemcpy, 1, 10, 0, 9, 0, 17);                    // a kind the runtime does not have
        JsonNode r = report();
        assertThat(r.get("memcpy_bytes").get("HtoD").asLong()).isEqualTo(1L << 30);
        assertThat(r.get("memcpy_bytes").get("DtoH").asLong()).isEqualTo(5 * MIB);
        assertThat(r.get("memcpy_bytes").get("DtoD").asLong()).isZero();
        assertThat(r.get("memcpy_requested_bytes").get("DtoD").asLong()).isEqualTo(7 * MIB);
        assertThat(r.get("memcpy_requested_bytes").get("Invalid").asLong()).isEqualTo(9);
        assertThat(r.get("memcpy_sync_bandwidth_gib_s").get("HtoD").asDouble()).isEqualTo(1000.0);
        assertThat(r.get("memcpy_sync_bandwidth_gib_s").has("DtoH")).isFalse();
    }

    @Test
    void launchesThroughAKernelHandleAreNamedByItsHostFunction() {
        call(__cudaGetKernel, 0, 10, 0x7777, 0, 0x1000, 0);
        call(cudaLaunchKernel, 0, 10, 0, 0, 0x7777, 0);
        call(cudaLaunchKernel, 0, 10, 0, 0, 0x1000, 0);
        call(cudaLaunchKernel, 0, 10, 0, 0, 0x2000, 0);
        JsonNode kernels = report().get("kernels");
        assertThat(kernels).hasSize(2);
        assertThat(kernels.get(0).get("symbol").asText()).isEqualTo("vecAdd(float*, float*, float*, int)");
        assertThat(kernels.get(0).get("launches").asLong()).isEqualTo(2);
        assertThat(kernels.get(1).get("symbol").asText()).isEqualTo("0x2000");
    }

    @Test
    void aLaunchFromAnExitedProcessIsNamedFromWhereTheKernelLocatedIt() {
        stats.record(__cudaGetKernel, PID, 0, 0, 10, 0x8888, 0, 0x5000, 0, IN_APP);
        stats.record(cudaLaunchKernel, PID, 0, 0, 10, 0, 0, 0x8888, 0, null);
        JsonNode kernels = report().get("kernels");
        assertThat(kernels).hasSize(1);
        assertThat(kernels.get(0).get("symbol").asText()).isEqualTo("vecAdd(float*, float*, float*, int)");
    }

    @Test
    void synchronisationTimeIsSummedPerProcess() {
        call(cudaStreamSynchronize, 0, 3_000_000, 0, 0, 0, 0);
        call(cudaDeviceSynchronize, 0, 2_000_000, 0, 0, 0, 0);
        assertThat(report().get("sync_blocked_ms").asDouble()).isEqualTo(5.0);
    }
}
