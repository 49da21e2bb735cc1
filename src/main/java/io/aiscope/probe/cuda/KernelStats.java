package io.aiscope.probe.cuda;

/** Launches of one kernel, named by the ELF symbol its host function pointer resolves to. */
final class KernelStats {
    final String symbol;
    final String mangled;
    final String module;
    long launches;
    long errors;

    KernelStats(String symbol, String mangled, String module) {
        this.symbol = symbol;
        this.mangled = mangled;
        this.module = module;
    }
}
