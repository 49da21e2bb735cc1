package io.aiscope.probe.cuda;

/** cudaMemcpyKind as the runtime numbers it (driver_types.h); Invalid for any other value a caller passed. */
public enum CopyKind {
    HtoH, HtoD, DtoH, DtoD, Default, Invalid;

    public static CopyKind of(int kind) {
        return kind >= 0 && kind < Invalid.ordinal() ? values()[kind] : Invalid;
    }
}
