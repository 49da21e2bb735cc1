package io.aiscope.symbols;

import java.io.IOException;
import java.nio.file.Path;

/** The file is not a 64-bit little-endian ELF file, or its headers point outside the file. */
public final class ElfFormatException extends IOException {

    public ElfFormatException(Path path, String problem) {
        super(path + ": " + problem);
    }
}
