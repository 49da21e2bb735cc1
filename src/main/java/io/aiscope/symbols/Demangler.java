package io.aiscope.symbols;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Turns Itanium C++ ABI names ({@code _Z6vecAddPfS_S_i}) into source form ({@code vecAdd(float*, float*, float*, int)})
 * with libstdc++'s {@code __cxa_demangle}, the same code c++filt runs.
 *
 * <p>Kernel and library names repeat endlessly in a trace, so results are cached. Where libstdc++ is absent
 * (distroless images) names pass through unchanged and {@link #isAvailable()} says so.
 */
public final class Demangler {

    private static final int CACHE_CAPACITY = 16_384;

    private final MethodHandle cxaDemangle;
    private final MethodHandle free;
    private final BoundedCache<String, String> cache = new BoundedCache<>(CACHE_CAPACITY);

    private Demangler(MethodHandle cxaDemangle, MethodHandle free) {
        this.cxaDemangle = cxaDemangle;
        this.free = free;
    }

    /** Binds {@code __cxa_demangle} from libstdc++.so.6, or returns a pass-through demangler if it is not installed. */
    public static Demangler create() {
        Linker linker = Linker.nativeLinker();
        MethodHandle free = linker.downcallHandle(linker.defaultLookup().findOrThrow("free"),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        SymbolLookup libstdcxx;
        try {
            libstdcxx = SymbolLookup.libraryLookup("libstdc++.so.6", Arena.global());
        } catch (IllegalArgumentException notInstalled) {
            return new Demangler(null, free);
        }
        // char *__cxa_demangle(const char *mangled, char *buffer, size_t *length, int *status)
        MethodHandle cxaDemangle = linker.downcallHandle(libstdcxx.findOrThrow("__cxa_demangle"),
                FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        return new Demangler(cxaDemangle, free);
    }

    public boolean isAvailable() {
        return cxaDemangle != null;
    }

    /** The demangled form of {@code name}; C names and names the demangler rejects come back unchanged. */
    public String demangle(String name) {
        if (cxaDemangle == null || !name.startsWith("_Z")) return name;
        String cached = cache.get(name);
        if (cached == null) {
            cached = callCxaDemangle(name);
            cache.put(name, cached);
        }
        return cached;
    }

    private String callCxaDemangle(String mangled) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment result = (MemorySegment) cxaDemangle.invokeExact(
                    arena.allocateFrom(mangled), MemorySegment.NULL, MemorySegment.NULL, status);
            if (result.equals(MemorySegment.NULL)) return mangled; // status -2: not a valid mangled name
            try {
                return result.reinterpret(Long.MAX_VALUE).getString(0);
            } finally {
                free.invokeExact(result);
            }
        } catch (Throwable e) {
            throw new IllegalStateException("__cxa_demangle failed on " + mangled, e);
        }
    }
}
