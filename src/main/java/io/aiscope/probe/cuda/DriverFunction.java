package io.aiscope.probe.cuda;

/**
 * The probed CUDA driver API functions (libcuda.so.1), after the runtime's in {@code enum cuda_fn} in cuda.h
 * (id = the runtime's count + ordinal + 1), by the names the library exports: cuda.h #defines cuMemAlloc as
 * cuMemAlloc_v2 and so on, and a report shows what was called.
 */
public enum DriverFunction implements ProbedFunction {
    cuMemAlloc_v2(Shape.ALLOC),
    cuMemAllocAsync(Shape.ALLOC),
    cuMemAllocManaged(Shape.ALLOC),
    cuMemFree_v2(Shape.FREE),
    cuMemFreeAsync(Shape.FREE),
    cuMemcpyHtoD_v2(CopyKind.HtoD),
    cuMemcpyDtoH_v2(CopyKind.DtoH),
    cuMemcpyDtoD_v2(CopyKind.DtoD),
    cuMemcpyHtoDAsync_v2(CopyKind.HtoD),
    cuMemcpyDtoHAsync_v2(CopyKind.DtoH),
    cuMemcpyDtoDAsync_v2(CopyKind.DtoD),
    /** Launches an opaque CUfunction, which {@link #cuModuleGetFunction} named. */
    cuLaunchKernel(Shape.LAUNCH),
    cuModuleGetFunction(Shape.FUNCTION_NAME),
    cuStreamSynchronize(Shape.SYNC),
    cuCtxSynchronize(Shape.SYNC),
    cuEventSynchronize(Shape.SYNC);

    final Shape shape;
    /** Copies: the direction the function names; null for every other function. */
    final CopyKind direction;

    DriverFunction(Shape shape) {
        this.shape = shape;
        this.direction = null;
    }

    DriverFunction(CopyKind direction) {
        this.shape = Shape.DIRECTED_COPY;
        this.direction = direction;
    }

    @Override
    public int id() {
        return CudaFunction.values().length + ordinal() + 1;
    }

    /** For a copy, the direction (as cudaMemcpyKind numbers it) rides above the id: the entry program reads it. */
    @Override
    public long cookie() {
        return id() | (direction == null ? 0L : (long) direction.ordinal() << 32);
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public Api api() {
        return Api.DRIVER;
    }

    @Override
    public boolean isSynchronousCopy() {
        return this == cuMemcpyHtoD_v2 || this == cuMemcpyDtoH_v2 || this == cuMemcpyDtoD_v2;
    }
}
