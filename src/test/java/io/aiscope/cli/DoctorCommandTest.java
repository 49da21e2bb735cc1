package io.aiscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("kernel")
class DoctorCommandTest {
    @Test
    void asRootTracingWorks() {
        InProcess.Result r = InProcess.run("doctor");
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).containsPattern("(?m)^ok\\s+btf\\s")
                .containsPattern("(?m)^ok\\s+privileges\\s")
                .containsPattern("(?m)^ok\\s+tp_btf\\s+attached ")
                .containsPattern("(?m)^ok\\s+uprobe\\s+attached cuda_call_entry to \\S+libc.so.6:getpid")
                .containsPattern("(?m)^ok\\s+cuda runtime\\s+/usr/local/cuda-13.0/")
                .containsPattern("(?m)^ok\\s+openssl\\s+\\S+/libssl.so.3 \\(8 of 8 probed functions\\)")
                .containsPattern("(?m)^ok\\s+family tls\\s+loads")
                .contains("tracing works here");
        assertThat(r.stdout()).doesNotContainPattern("(?m)^fail");
    }

    @Test
    void jsonSaysTheSame() throws Exception {
        InProcess.Result r = InProcess.run("doctor", "--json");
        assertThat(r.exitCode()).isZero();
        JsonNode json = Aiscope.JSON.readTree(r.stdout());
        assertThat(json.get("tracing_works").asBoolean()).isTrue();
        List<String> names = new ArrayList<>();
        json.get("checks").forEach(c -> {
            names.add(c.get("check").asText());
            assertThat(c.get("status").asText()).isIn("ok", "warn");
        });
        assertThat(names).contains("kernel", "btf", "privileges", "libbpf", "family proc", "uprobe", "perf_event",
                "kprobe", "fentry", "cuda runtime", "openssl", "nvidia driver");
    }

    @Test
    void withoutCapabilitiesTracingCannotWork() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all"));
        cmd.addAll(Aiscope.command("doctor"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        assertThat(out).containsPattern("(?m)^fail\\s+privileges\\s").contains("tracing cannot work here: fix privileges");
    }
}
