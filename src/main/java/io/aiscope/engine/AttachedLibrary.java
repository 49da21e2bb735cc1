package io.aiscope.engine;

import java.nio.file.Path;
import java.util.List;

/** One file a family probes: the functions attached and those the file lacks (or that would not attach). */
public record AttachedLibrary(String family, String kind, Path path, List<String> functions, List<String> missing) {}
