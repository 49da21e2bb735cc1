package io.aiscope.probe.cuda;

import io.aiscope.correlate.CudaActivity;

import java.util.ArrayList;
import java.util.List;

/**
 * A function the cuda family probes: the runtime's ({@link CudaFunction}, libcudart) or the driver's
 * ({@link DriverFunction}, libcuda). Ids follow {@code enum cuda_fn} in cuda.h: the runtime's from 1, then the
 * driver's.
 */
public sealed interface ProbedFunction permits CudaFunction, DriverFunction {
    /** Which library defines a function: each is one {@link io.aiscope.engine.UprobePlan}. */
    enum Api {
        RUNTIME("CUDA runtime", "libcudart.so*"), DRIVER("CUDA driver", "libcuda.so*");

        final String libraryKind;
        final String fileGlob;

        Api(String libraryKind, String fileGlob) {
            this.libraryKind = libraryKind;
            this.fileGlob = fileGlob;
        }

        /** The functions of this API, in id order. */
        public List<? extends ProbedFunction> functions() {
            return this == RUNTIME ? List.of(CudaFunction.values()) : List.of(DriverFunction.values());
        }
    }

    /** How the entry program reads the arguments, and what the call means to the aggregates. */
    enum Shape {
        ALLOC("cuda_alloc_entry"), FREE("cuda_free_entry"), COPY("cuda_memcpy_entry"),
        /** A copy whose function names its direction (the driver's): the cookie carries the direction. */
        DIRECTED_COPY("cu_memcpy_entry"),
        LAUNCH("cuda_launch_entry"), SYNC("cuda_call_entry"), PLAIN("cuda_call_entry"),
        KERNEL_HANDLE("cuda_get_kernel_entry"),
        /** cuModuleGetFunction: the CUfunction it returns and the kernel name, in a longer event. */
        FUNCTION_NAME("cu_module_get_function_entry", "cu_module_get_function_exit");

        final String entryProgram;
        final String exitProgram;

        /** What a call of this shape adds to a request's decomposition. */
        CudaActivity activity() {
            return switch (this) {
                case COPY, DIRECTED_COPY -> CudaActivity.COPY;
                case LAUNCH -> CudaActivity.LAUNCH;
                case SYNC -> CudaActivity.SYNC;
                default -> CudaActivity.OTHER;
            };
        }

        Shape(String entryProgram) {
            this(entryProgram, "cuda_call_exit");
        }

        Shape(String entryProgram, String exitProgram) {
            this.entryProgram = entryProgram;
            this.exitProgram = exitProgram;
        }

        public boolean isCopy() {
            return this == COPY || this == DIRECTED_COPY;
        }
    }

    /** The name the library exports, and reports show. */
    String name();

    /** The id the BPF side uses (cookie and event field). */
    int id();

    Shape shape();

    Api api();

    /** The uprobe's attach cookie: the id in the low 32 bits, and anything the entry program needs above it. */
    default long cookie() {
        return id();
    }

    /** Pinned host memory (cudaMallocHost/cudaFreeHost): counted apart from device memory. */
    default boolean isHostMemory() {
        return false;
    }

    /** Copies that return only once done, whose duration gives a bandwidth. */
    default boolean isSynchronousCopy() {
        return false;
    }

    /** Every probed function, in id order. */
    static List<ProbedFunction> all() {
        List<ProbedFunction> all = new ArrayList<>(List.of(CudaFunction.values()));
        all.addAll(List.of(DriverFunction.values()));
        return all;
    }

    static ProbedFunction byId(int id) {
        int runtime = CudaFunction.values().length;
        if (id >= 1 && id <= runtime) {
            return CudaFunction.byId(id);
        }
        if (id > runtime && id <= runtime + DriverFunction.values().length) {
            return DriverFunction.values()[id - runtime - 1];
        }
        throw new IllegalArgumentException("unknown cuda function id " + id);
    }
}
