package io.aiscope.symbols;

/**
 * A runtime address resolved to a function: {@code module} is the file's path as the process sees it,
 * {@code offset} the address's distance from the start of the function.
 */
public record ResolvedSymbol(String module, String mangled, String demangled, long offset) {}
