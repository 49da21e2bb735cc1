package io.aiscope.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The LLM API endpoint over TLS (the bundled model server with its test certificate, workloads/llm), started
 * for a test on ephemeral ports, and the command lines of the real clients and the agent that call it.
 */
public final class LlmEndpoint implements AutoCloseable {
    private final Process process;
    private final int plainPort;
    private final int tlsPort;
    private final StringBuffer stdout = new StringBuffer();

    public LlmEndpoint(String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ModelServer.java(), "-jar", Workloads.get("model-server.jar").toString(),
                "--port", "0", "--tls-port", "0", "--tls-keystore", Workloads.get("llm/endpoint.p12").toString()));
        cmd.addAll(List.of(options));
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        plainPort = port(out.readLine(), "listening on 127.0.0.1:");
        tlsPort = port(out.readLine(), "listening tls on 127.0.0.1:");
        // The rest of stdout is kept, so that a test can check the server printed nothing about its requests.
        Thread.ofPlatform().daemon().name("llm-endpoint-stdout").start(() -> out.lines().forEach(l -> stdout.append(l).append('\n')));
    }

    private int port(String line, String prefix) {
        stdout.append(line).append('\n');
        if (line == null || !line.startsWith(prefix)) {
            process.destroyForcibly();
            throw new IllegalStateException("LLM endpoint did not start: " + line);
        }
        return Integer.parseInt(line.substring(prefix.length()));
    }

    /** {@code https://127.0.0.1:PORT}, no trailing slash. */
    public String url() {
        return "https://127.0.0.1:" + tlsPort;
    }

    public int tlsPort() {
        return tlsPort;
    }

    /** The same server without TLS. */
    public int plainPort() {
        return plainPort;
    }

    public int pid() {
        return (int) process.pid();
    }

    /** The self-signed certificate the clients trust as their CA. */
    public static Path caCert() {
        return Workloads.get("llm/endpoint.crt");
    }

    /** Everything the server wrote on stdout so far. */
    public String stdout() {
        return stdout.toString();
    }

    /** {@code llm-curl}: the calls of the scenario file {@code calls}, one NDJSON line each on stdout. */
    public List<String> curl(Path calls) {
        return List.of(Workloads.get("llm/llm-curl").toString(), url(), caCert().toString(), calls.toString());
    }

    /** The Python client (http.client for {@code keep} calls, urllib for {@code new} ones). */
    public List<String> python(Path calls) {
        return List.of(python3(), Workloads.get("llm/llm_client.py").toString(), "--url", url(),
                "--cacert", caCert().toString(), "--calls", calls.toString());
    }

    /** The Node client, through env so that Node starts with the certificate it must trust. */
    public List<String> node(Path calls) {
        return List.of("/usr/bin/env", "NODE_EXTRA_CA_CERTS=" + caCert(), "node", Workloads.get("llm/llm_client.mjs").toString(),
                "--url", url(), "--cacert", caCert().toString(), "--calls", calls.toString());
    }

    /** The agent: {@code rounds} rounds, its files in {@code outdir}, its connections to {@code connectTo} (host:port). */
    public List<String> agent(Path outdir, String connectTo, int rounds, String... options) {
        List<String> cmd = new ArrayList<>(List.of(python3(), Workloads.get("llm/agent.py").toString(), "--url", url(),
                "--cacert", caCert().toString(), "--outdir", outdir.toString(), "--connect", connectTo,
                "--rounds", Integer.toString(rounds)));
        cmd.addAll(List.of(options));
        return cmd;
    }

    /** A scenario file with these call lines (see workloads/README.md for the format). */
    public static Path scenario(Path dir, String... callLines) {
        try {
            return Files.writeString(dir.resolve("calls.txt"), String.join("\n", callLines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The system's interpreter, not a version manager's shim: a shim is a shell script that execs it. */
    static String python3() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
