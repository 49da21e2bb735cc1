package io.aiscope.probe.cuda;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.Workloads;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ring far too small for the call rate: events are lost, and every lost one is counted in the kernel, so what
 * aiscope saw plus what it lost is exactly what the program called.
 */
@Tag("kernel")
class CudaRingOverflowTest {
    @Test
    void everyCallIsEitherSeenOrCountedAsDropped() throws IOException {
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "cuda", "--ring-kib", "4"),
                Workloads.get("cuda_census").toString(), "--threads", "4", "--mallocs", "20000", "--frees", "20000",
                "--launches", "3000");
        assertThat(t.result().exitCode()).as(t.result().stderr()).isZero();
        JsonNode census = Aiscope.JSON.readTree(t.result().stdout());
        long called = census.get("generated_calls").path("__cudaGetKernel").asLong();
        for (CudaFunction f : CudaFunction.values()) {
            called += census.get("functions").path(f.name()).path("calls").asLong();
        }
        long seen = 0;
        for (JsonNode call : t.report().get("cuda").get("calls")) {
            seen += call.get("count").asLong();
        }
        long dropped = t.report().get("agent").get("dropped_by_family").get("cuda").asLong();
        assertThat(dropped).as("a 4 KiB ring must overflow at this rate").isPositive();
        assertThat(seen + dropped).isEqualTo(called);
        assertThat(t.report().get("agent").get("dropped").asLong()).isGreaterThanOrEqualTo(dropped);
    }

    @Test
    void aRingSizeThatIsNoPowerOfTwoIsRefused() {
        Aiscope.Result r = Aiscope.run("run", "--ring-kib", "6", "--", "/bin/true");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr().strip()).isEqualTo("aiscope: --ring-kib must be a power of two from 4 to 1048576, not 6");
    }
}
