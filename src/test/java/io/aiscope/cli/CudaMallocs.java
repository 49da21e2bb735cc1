package io.aiscope.cli;

import io.aiscope.symbols.NativeBuild;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny program on the real shared libcudart that waits for a line on stdin, calls cudaMalloc N times, says
 * "done", and exits at the next line: a test starts it, attaches aiscope to its PID, then lets it call.
 */
final class CudaMallocs implements AutoCloseable {
    private static final String CUDA = "/usr/local/cuda-13.0";
    private static final String SOURCE = """
            #include <cuda_runtime_api.h>
            #include <stdio.h>
            #include <stdlib.h>
            int main(int argc, char **argv) {
              int n = atoi(argv[1]);
              char line[64];
              puts("ready"); fflush(stdout);
              if (!fgets(line, sizeof line, stdin)) return 2;
              for (int i = 0; i < n; i++) { void *p; cudaMalloc(&p, 4096); }
              puts("done"); fflush(stdout);
              fgets(line, sizeof line, stdin);
              return 0;
            }
            """;
    private static Path binary;

    private final Process process;
    private final BufferedReader out;
    private final OutputStream in;

    private static synchronized Path binary() throws IOException, InterruptedException {
        if (binary == null) {
            Path dir = Files.createTempDirectory("aiscope-cli-test");
            Path source = Files.writeString(dir.resolve("cuda_mallocs.c"), SOURCE);
            Path out = dir.resolve("cuda_mallocs");
            NativeBuild.run("gcc", "-O1", "-I" + CUDA + "/include", "-o", out.toString(), source.toString(),
                    "-L" + CUDA + "/lib64", "-lcudart", "-Wl,-rpath=" + CUDA + "/lib64");
            binary = out;
        }
        return binary;
    }

    CudaMallocs(int mallocs) throws IOException, InterruptedException {
        process = new ProcessBuilder(binary().toString(), Integer.toString(mallocs)).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        in = process.getOutputStream();
        expect("ready");
    }

    int pid() {
        return (int) process.pid();
    }

    /** Makes the calls and waits until they are done. */
    void call() throws IOException {
        in.write('\n');
        in.flush();
        expect("done");
    }

    private void expect(String line) throws IOException {
        String got = out.readLine();
        if (!line.equals(got)) {
            throw new AssertionError("workload said " + got + ", expected " + line);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            in.write('\n');
            in.close();
        } catch (IOException alreadyGone) {
            // it exited
        }
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
