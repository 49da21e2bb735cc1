package io.aiscope.target;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The directories shared libraries are installed in. The dynamic linker's binary cache (/etc/ld.so.cache) has no
 * stable format, so its sources are read instead: LD_LIBRARY_PATH, /etc/ld.so.conf with its includes, the
 * default directories, and the CUDA toolkit's directories that installers do not always register.
 */
public final class LibraryDirectories {

    private static final String MULTIARCH = switch (System.getProperty("os.arch")) {
        case "aarch64" -> "aarch64-linux-gnu";
        default -> "x86_64-linux-gnu";
    };

    private LibraryDirectories() {}

    /** Existing directories, each once, in the order the dynamic linker would search them. */
    public static List<Path> standard() {
        return standard(System.getenv("LD_LIBRARY_PATH"), Path.of("/etc/ld.so.conf"));
    }

    static List<Path> standard(String ldLibraryPath, Path ldSoConf) {
        Set<Path> directories = new LinkedHashSet<>();
        if (ldLibraryPath != null) {
            for (String entry : ldLibraryPath.split(":")) {
                if (!entry.isEmpty()) directories.add(Path.of(entry));
            }
        }
        directories.addAll(fromLdSoConf(ldSoConf));
        for (String fixed : List.of("/lib/" + MULTIARCH, "/usr/lib/" + MULTIARCH, "/lib64", "/usr/lib64",
                "/lib", "/usr/lib", "/usr/local/lib")) {
            directories.add(Path.of(fixed));
        }
        directories.addAll(glob("/usr/local/cuda*/lib64"));
        directories.addAll(glob("/usr/local/cuda*/targets/*/lib"));
        return directories.stream().filter(Files::isDirectory).toList();
    }

    /** The directories listed by an ld.so.conf file, following {@code include} lines (glob patterns). */
    static List<Path> fromLdSoConf(Path conf) {
        Set<Path> directories = new LinkedHashSet<>();
        readConf(conf, directories, new HashSet<>());
        return List.copyOf(directories);
    }

    private static void readConf(Path conf, Set<Path> directories, Set<Path> visited) {
        if (!visited.add(conf.toAbsolutePath().normalize())) return;
        List<String> lines;
        try {
            lines = Files.readAllLines(conf);
        } catch (IOException unreadable) {
            return; // an absent or unreadable file adds no directory, as for ldconfig
        }
        for (String raw : lines) {
            int comment = raw.indexOf('#');
            String line = (comment >= 0 ? raw.substring(0, comment) : raw).strip();
            if (line.isEmpty() || line.startsWith("hwcap ")) continue;
            if (line.startsWith("include ") || line.startsWith("include\t")) {
                // A relative include is relative to the including file, as ldconfig reads it.
                Path pattern = conf.toAbsolutePath().getParent().resolve(line.substring("include".length()).strip());
                for (Path included : glob(pattern.toString())) readConf(included, directories, visited);
            } else {
                directories.add(Path.of(line));
            }
        }
    }

    /** The existing paths matching an absolute {@code pattern} whose components may hold glob wildcards, sorted. */
    static List<Path> glob(String pattern) {
        Path absolute = Path.of(pattern);
        List<Path> matches = List.of(absolute.getRoot());
        for (Path component : absolute) {
            String part = component.toString();
            List<Path> next = new ArrayList<>();
            for (Path base : matches) {
                if (part.chars().noneMatch(c -> c == '*' || c == '?' || c == '[' || c == '{')) {
                    if (Files.exists(base.resolve(part))) next.add(base.resolve(part));
                    continue;
                }
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, part)) {
                    entries.forEach(next::add);
                } catch (IOException notADirectory) {
                    // nothing matches below a file or an unreadable directory
                }
            }
            next.sort(null);
            matches = next;
        }
        return matches;
    }
}
