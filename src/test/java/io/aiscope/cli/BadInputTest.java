package io.aiscope.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Mistakes a user makes get one line on stderr and exit code 1, before any BPF is loaded (so: no root needed). */
@Tag("unit")
class BadInputTest {
    private static void assertOneLineError(InProcess.Result r, String expected) {
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr().lines().toList()).as(r.stderr()).hasSize(1);
        assertThat(r.stderr()).startsWith("aiscope: ").contains(expected);
    }

    @Test
    void traceOfAMissingPid() {
        assertOneLineError(InProcess.run("trace", "-p", "999999"), "no process with PID 999999");
    }

    @Test
    void topAndServeOfAMissingPid() {
        assertOneLineError(InProcess.run("top", "-p", "999999"), "no process with PID 999999");
        assertOneLineError(InProcess.run("serve", "-p", "999999", "--listen", "127.0.0.1:0"), "no process with PID 999999");
    }

    @Test
    void serveWithANonsenseAddress() {
        assertOneLineError(InProcess.run("serve", "--listen", "nonsense"), "bad --listen value 'nonsense'");
        assertOneLineError(InProcess.run("serve", "--listen", "127.0.0.1:65536"), "bad --listen value");
    }

    @Test
    void serveOnAPortInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertOneLineError(InProcess.run("serve", "--listen", "127.0.0.1:" + taken.getLocalPort()),
                    "cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address already in use");
        }
    }

    @Test
    void unknownFamilyAndBadNumbers() {
        assertOneLineError(InProcess.run("trace", "--family", "gpu"), "unknown family 'gpu'");
        assertOneLineError(InProcess.run("trace", "--duration", "0"), "--duration must be positive");
        assertOneLineError(InProcess.run("top", "--interval", "0"), "--interval must be positive");
        assertOneLineError(InProcess.run("top", "--iterations", "0"), "--iterations must be at least 1");
    }

    @Test
    void agentsWithBadTargetsOrOptions() {
        assertOneLineError(InProcess.run("agents", "-p", "999999"), "no process with PID 999999");
        assertOneLineError(InProcess.run("agents", "-p", "1", "--", "true"), "either -p PID or a command");
        assertOneLineError(InProcess.run("agents", "--probes", "cuda", "--", "true"), "needs the tls or http probe family");
        assertOneLineError(InProcess.run("run", "--capture-content=0", "--", "true"), "--capture-content must be 1 to");
        assertOneLineError(InProcess.run("run", "--effects-window", "0", "--", "true"), "--effects-window must be more than 0");
    }

    @Test
    void listenAddresses() {
        assertThat(ServeCommand.Address.parse("127.0.0.1:9464")).isEqualTo(new ServeCommand.Address("127.0.0.1", 9464));
        assertThat(ServeCommand.Address.parse("0.0.0.0:80")).isEqualTo(new ServeCommand.Address("0.0.0.0", 80));
        assertThat(ServeCommand.Address.parse("localhost:0")).isEqualTo(new ServeCommand.Address("localhost", 0));
        assertThat(ServeCommand.Address.parse("[::1]:9464")).isEqualTo(new ServeCommand.Address("::1", 9464));
        assertThat(ServeCommand.Address.parse("[::1]:9464").url(9464)).isEqualTo("http://[::1]:9464/metrics");
        for (String bad : new String[] {"9464", ":9464", "host:", "::1:9464", "a:b", "1.2.3.4:99999", ""}) {
            assertThatThrownBy(() -> ServeCommand.Address.parse(bad)).as(bad).hasMessageContaining("bad --listen value");
        }
    }
}
