package io.aiscope.engine;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Starts a command so that it is traced from its first instruction: a shell stops itself before exec'ing the
 * command, the session adds its pid to the kernel's target set, and only then does it continue.
 */
public final class Launcher {
    private static final int SIGCONT = 18;
    private static final MethodHandle KILL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().findOrThrow("kill"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private Launcher() {}

    /**
     * Starts {@code command} stopped. With {@code stdoutToStderr} its standard output goes to aiscope's standard
     * error, keeping aiscope's own standard output for a JSON report.
     */
    public static Process startStopped(List<String> command, boolean stdoutToStderr) {
        if (command.isEmpty()) {
            throw new AiscopeException("no command given: aiscope run [options] -- COMMAND [ARGS...]");
        }
        requireRunnable(command.getFirst());
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c",
                "kill -STOP $$; exec \"$0\" \"$@\"" + (stdoutToStderr ? " 1>&2" : "")));
        argv.addAll(command);
        try {
            Process p = new ProcessBuilder(argv).inheritIO().start();
            awaitStopped(p.pid());
            return p;
        } catch (IOException e) {
            throw new AiscopeException("cannot start " + command.getFirst() + ": " + e.getMessage());
        }
    }

    private static void requireRunnable(String program) {
        if (program.contains("/")) {
            if (!Files.isExecutable(Path.of(program))) {
                throw new AiscopeException("cannot run " + program + ": no such executable file");
            }
            return;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return;
            }
        }
        throw new AiscopeException("cannot run " + program + ": command not found in PATH");
    }

    private static void awaitStopped(long pid) throws IOException {
        Path stat = Path.of("/proc/" + pid + "/stat");
        for (int i = 0; i < 5000; i++) {
            String s;
            try {
                s = Files.readString(stat);
            } catch (IOException gone) {
                throw new AiscopeException("the command exited before it could be traced");
            }
            char state = s.charAt(s.lastIndexOf(')') + 2);
            if (state == 'T' || state == 't') {
                return;
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AiscopeException("interrupted while starting the command");
            }
        }
        throw new AiscopeException("the command did not reach its start point within 5 s");
    }

    public static void resume(Process p) {
        if (!resume((int) p.pid())) {
            throw new AiscopeException("cannot resume the command (pid " + p.pid() + ")");
        }
    }

    /** Sends SIGCONT; false when the process is gone. */
    public static boolean resume(int pid) {
        try {
            return (int) KILL.invokeExact(pid, SIGCONT) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
