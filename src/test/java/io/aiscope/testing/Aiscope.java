package io.aiscope.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the aiscope CLI as its own process (as a user would), on the classes under test. */
public final class Aiscope {
    public static final ObjectMapper JSON = new ObjectMapper();

    public record Result(int exitCode, String stdout, String stderr) {
        public JsonNode stdoutJson() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + e.getMessage() + "\n" + stdout + "\n" + stderr);
            }
        }
    }

    private Aiscope() {}

    public static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.aiscope.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static Result run(String... args) {
        return run(Map.of(), args);
    }

    public static Result run(Map<String, String> env, String... args) {
        try {
            Path out = Files.createTempFile("aiscope-out", ".txt");
            Path err = Files.createTempFile("aiscope-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command(args)).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("aiscope did not finish within 120 s: " + String.join(" ", args));
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code aiscope run --json FILE -- command}: the command's own stdout, and the report. */
    public record Traced(Result result, JsonNode report) {}

    public static Traced trace(List<String> options, String... command) {
        try {
            Path json = Files.createTempFile("aiscope-report", ".json");
            List<String> args = new ArrayList<>(List.of("run", "--json", json.toString()));
            args.addAll(options);
            args.add("--");
            args.addAll(List.of(command));
            Result r = run(args.toArray(String[]::new));
            JsonNode report = Files.size(json) > 0 ? JSON.readTree(json.toFile()) : null;
            Files.delete(json);
            return new Traced(r, report);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
