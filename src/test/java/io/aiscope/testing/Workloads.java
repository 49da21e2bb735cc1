package io.aiscope.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The real programs tests trace, built once per build directory by workloads/build. */
public final class Workloads {
    private static Path dir;

    private Workloads() {}

    public static synchronized Path dir() {
        if (dir == null) {
            Path root = Path.of(System.getProperty("user.dir"));
            Path out = Path.of(System.getProperty("aiscope.build.dir", root.resolve("target").toString()), "workloads");
            try {
                Process p = new ProcessBuilder("bash", root.resolve("workloads/build").toString(), out.toString())
                        .redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("workloads/build failed:\n" + log);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            dir = out;
        }
        return dir;
    }

    public static Path get(String name) {
        Path p = dir().resolve(name);
        if (!Files.isExecutable(p) && !Files.exists(p)) {
            throw new IllegalStateException("workload " + name + " was not built in " + dir());
        }
        return p;
    }
}
