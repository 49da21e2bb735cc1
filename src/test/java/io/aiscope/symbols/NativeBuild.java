package io.aiscope.symbols;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds small native files for tests with the system's gcc / g++ and binutils. */
public final class NativeBuild {

    private NativeBuild() {}

    /** Compiles C source into the shared library {@code dir/libName}. */
    public static Path sharedLibrary(Path dir, String libName, String cSource) throws IOException, InterruptedException {
        return compile("gcc", ".c", dir, libName, cSource, "-shared", "-fPIC");
    }

    /** Compiles C++ source into the shared library {@code dir/libName}. */
    public static Path cxxSharedLibrary(Path dir, String libName, String cxxSource)
            throws IOException, InterruptedException {
        return compile("g++", ".cpp", dir, libName, cxxSource, "-shared", "-fPIC");
    }

    /** Compiles C source into an executable {@code dir/name} linked at a fixed address (ET_EXEC). */
    public static Path fixedAddressExecutable(Path dir, String name, String cSource)
            throws IOException, InterruptedException {
        return compile("gcc", ".c", dir, name, cSource, "-no-pie");
    }

    /** Runs a command, failing the test with its output if it does not succeed; returns its standard output. */
    public static String run(String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(command[0] + " is needed by this test but cannot be run: " + e.getMessage());
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) throw new AssertionError(String.join(" ", command) + " failed:\n" + output);
        return output;
    }

    private static Path compile(String compiler, String suffix, Path dir, String name, String source, String... flags)
            throws IOException, InterruptedException {
        Path sourceFile = dir.resolve(name + suffix);
        Files.writeString(sourceFile, source);
        Path output = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of(compiler, "-O1", "-g0"));
        command.addAll(List.of(flags));
        command.addAll(List.of("-o", output.toString(), sourceFile.toString()));
        run(command.toArray(String[]::new));
        return output;
    }
}
