package io.aiscope.probe.cuda;

import io.aiscope.testing.Aiscope;
import io.aiscope.testing.Workloads;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a user gets wrong, or what goes wrong under aiscope: one clear line and a non-zero exit, never a trace. */
@Tag("kernel")
class CudaBadInputTest {
    @Test
    void withoutPrivilegesItSaysSo() {
        // Root's uid but no capabilities: what a user without privileges has (and the jars stay readable).
        List<String> cmd = new java.util.ArrayList<>(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all"));
        cmd.addAll(Aiscope.command("run", "--", "/bin/true"));
        Aiscope.Result r = runRaw(cmd);
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr()).contains("needs root").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void anUnknownCommandIsRefused() {
        Aiscope.Result r = Aiscope.run("run", "--", "no-such-command-aiscope");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr().strip()).isEqualTo("aiscope: cannot run no-such-command-aiscope: command not found in PATH");
    }

    @Test
    void anUnknownProbeFamilyIsRefused() {
        Aiscope.Result r = Aiscope.run("run", "--probes", "cuda,gpu-magic", "--", "/bin/true");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("aiscope: unknown probe family 'gpu-magic'");
    }

    @Test
    void aLibraryNamedLikeTheRuntimeWithoutItsSymbolsIsReportedNotProbed() {
        String fake = Workloads.dir().resolve("fake").toString();
        Aiscope.Result r = Aiscope.run(Map.of("LD_LIBRARY_PATH", fake), "run", "--json", "-", "--probes", "cuda", "--",
                "/bin/true");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        var agent = r.stdoutJson().get("agent");
        assertThat(agent.get("libraries_without_symbols").get(fake + "/libcudart.so.99").asText()).isEqualTo("CUDA runtime");
        agent.get("libraries").forEach(l -> assertThat(l.get("path").asText()).doesNotStartWith(fake));
    }

    @Test
    void aTargetKilledMidTraceStillGetsAReport() {
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "cuda"), "/bin/sh", "-c",
                Workloads.get("cuda_census") + " --threads 1 --mallocs 5 --frees 0 --launches 3 >/dev/null; kill -9 $$");
        assertThat(t.result().exitCode()).isEqualTo(137);
        assertThat(t.report().get("exit_code").asInt()).isEqualTo(137);
        assertThat(t.report().get("cuda").get("calls").get("cudaMalloc").get("count").asLong()).isEqualTo(5);
        assertThat(t.report().get("cuda").get("outstanding_bytes").asLong()).isZero();
    }

    private static Aiscope.Result runRaw(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            return new Aiscope.Result(p.waitFor(), out, err);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
