package io.aiscope.probe.cuda;

/**
 * The probed CUDA runtime functions, in the order of {@code enum cuda_fn} in cuda.h (id = ordinal + 1), with
 * the entry program that reads their arguments. The driver's follow them: {@link DriverFunction}.
 */
public enum CudaFunction implements ProbedFunction {
    cudaMalloc(Shape.ALLOC),
    cudaMallocAsync(Shape.ALLOC),
    cudaMallocManaged(Shape.ALLOC),
    cudaMallocHost(Shape.ALLOC),
    cudaFree(Shape.FREE),
    cudaFreeAsync(Shape.FREE),
    cudaFreeHost(Shape.FREE),
    cudaMemcpy(Shape.COPY),
    cudaMemcpyAsync(Shape.COPY),
    cudaLaunchKernel(Shape.LAUNCH),
    cudaGraphLaunch(Shape.PLAIN),
    cudaStreamSynchronize(Shape.SYNC),
    cudaDeviceSynchronize(Shape.SYNC),
    cudaEventSynchronize(Shape.SYNC),
    /** Called by CUDA 13's launch stubs: the handle it returns is what cudaLaunchKernel then receives. */
    __cudaGetKernel(Shape.KERNEL_HANDLE);

    private static final CudaFunction[] BY_ID = values();

    final Shape shape;

    CudaFunction(Shape shape) {
        this.shape = shape;
    }

    /** The id the BPF side uses (cookie and event field). */
    @Override
    public int id() {
        return ordinal() + 1;
    }

    public static CudaFunction byId(int id) {
        if (id < 1 || id > BY_ID.length) {
            throw new IllegalArgumentException("unknown cuda function id " + id);
        }
        return BY_ID[id - 1];
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public Api api() {
        return Api.RUNTIME;
    }

    /** cudaMallocHost/cudaFreeHost pin host memory: counted apart from device memory. */
    @Override
    public boolean isHostMemory() {
        return this == cudaMallocHost || this == cudaFreeHost;
    }

    @Override
    public boolean isSynchronousCopy() {
        return this == cudaMemcpy;
    }
}
