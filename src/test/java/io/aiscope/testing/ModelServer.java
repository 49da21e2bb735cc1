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

    /**
     * The load client's command line for a scenario against this server. Its heap is large enough that no
     * collection pauses it during a test's requests: a pause between its clock read and its system call would
     * be timed as part of a request that no observer of the socket can see.
     */
    public List<String> client(String scenario, String... options) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-XX:+UseSerialGC", "-Xms512m", "-Xmn400m", "-cp",
                Workloads.get("model-server.jar").toString(),
                "io.aiscope.workloads.LoadClient", "--port", Integer.toString(port), "--scenario", scenario));
        cmd.addAll(List.of(options));
        return cmd;
    }

    /**
     * A shell script that starts the model server, runs the load client against it with {@code clientOptions}
     * (its NDJSON to {@code dir/client.ndjson}) and stops the server: one command for {@code aiscope run/record}.
     */
    public static String serveAndLoad(Path dir, String... clientOptions) {
        String jar = Workloads.get("model-server.jar").toString(), java = java();
        return String.join("\n",
                "set -e",
                "'" + java + "' -jar '" + jar + "' --port 0 --threads 2 > '" + dir + "/server.out' 2>/dev/null & server=$!",
                "until grep -q listening '" + dir + "/server.out'; do sleep 0.1; done",
                "port=$(sed 's/.*://' '" + dir + "/server.out')",
                "'" + java + "' -cp '" + jar + "' io.aiscope.workloads.LoadClient --port $port "
                        + String.join(" ", clientOptions) + " --out '" + dir + "/client.ndjson'",
                "kill $server; wait $server || true");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
