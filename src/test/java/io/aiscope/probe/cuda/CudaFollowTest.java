package io.aiscope.probe.cuda;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.Workloads;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A launched command that forks children and grandchildren which exec CUDA programs: every one is traced. */
@Tag("kernel")
class CudaFollowTest {
    @Test
    void descendantsAreTracedFromTheirFirstCall() throws IOException {
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "cuda"), Workloads.get("cuda_follow").toString(),
                "--children", "3", "--census", Workloads.get("cuda_census").toString(), "--",
                "--threads", "2", "--mallocs", "20", "--frees", "10", "--launches", "9");
        assertThat(t.result().exitCode()).as(t.result().stderr()).isZero();
        JsonNode tree = Aiscope.JSON.readTree(t.result().stdout());
        assertThat(tree.get("processes")).hasSize(6);

        Map<Integer, JsonNode> seen = new HashMap<>();
        t.report().get("cuda").get("processes").forEach(p -> seen.put(p.get("pid").asInt(), p));
        for (JsonNode child : tree.get("processes")) {
            int pid = child.get("pid").asInt();
            JsonNode census = child.get("report");
            assertThat(seen).as("census pid " + pid + " (depth " + child.get("depth") + ") traced").containsKey(pid);
            JsonNode calls = seen.get(pid).get("calls");
            census.get("functions").fields().forEachRemaining(f -> {
                if (calls.has(f.getKey())) {
                    assertThat(calls.get(f.getKey()).get("count").asLong()).as(pid + " " + f.getKey())
                            .isEqualTo(f.getValue().get("calls").asLong());
                }
            });
            assertThat(seen.get(pid).get("kernel_launches").asLong()).isEqualTo(9);
        }
        assertThat(t.report().get("cuda").get("kernel_launches").asLong()).isEqualTo(6 * 9);
        // Short-lived processes: their kernels are still named (the BPF side located each launched function).
        Map<String, Long> kernels = new HashMap<>();
        t.report().get("cuda").get("kernels").forEach(k -> kernels.merge(k.get("symbol").asText(),
                k.get("launches").asLong(), Long::sum));
        assertThat(kernels).containsOnlyKeys("aiscope_census::vector_add(float const*, float const*, float*, int)",
                "void scale<float>(float*, float, int)", "census_touch");
        assertThat(kernels.values()).containsOnly(6L * 3);
        JsonNode procs = t.report().get("proc").get("processes");
        assertThat(procs.size()).isGreaterThanOrEqualTo(7);
    }
}
