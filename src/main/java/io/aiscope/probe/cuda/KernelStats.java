package io.aiscope.probe.cuda;

/**
 * Launches of one kernel: through the runtime, named by the ELF symbol its host function pointer resolves to;
 * through the driver, by the name cuModuleGetFunction was given for its CUfunction.
 */
final class KernelStats {
    final String symbol;
    final String mangled;
    final String module;
    final ProbedFunction.Api api;
    long launches;
    long errors;

    KernelStats(String symbol, String mangled, String module) {
        this(symbol, mangled, module, ProbedFunction.Api.RUNTIME);
    }

    KernelStats(String symbol, String mangled, String module, ProbedFunction.Api api) {
        this.symbol = symbol;
        this.mangled = mangled;
        this.module = module;
        this.api = api;
    }
}
