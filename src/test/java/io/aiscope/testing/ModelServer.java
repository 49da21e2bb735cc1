package io.aiscope.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The bundled token-streaming model server (workloads/model-server), started for a test on an ephemeral port. */
public final class ModelServer implements AutoCloseable {
    private final Process process;
    private final int port;

    public ModelServer(String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-jar", Workloads.get("model-server.jar").toString(),
                "--port", "0"));
        cmd.addAll(List.of(options));
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("listening on 127.0.0.1:")) {
            process.destroyForcibly();
            throw new IllegalStateException("model server did not start: " + line);
        }
        port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public int port() {
        return port;
    }

    public int pid() {
        return (int) process.pid();
    }

    /** The load client's command line for a scenario against this server. */
    public List<String> client(String scenario, String... options) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", Workloads.get("model-server.jar").toString(),
                "io.aiscope.workloads.LoadClient", "--port", Integer.toString(port), "--scenario", scenario));
        cmd.addAll(List.of(options));
        return cmd;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
