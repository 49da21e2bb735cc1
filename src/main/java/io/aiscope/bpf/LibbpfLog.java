package io.aiscope.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.BiConsumer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Routes libbpf's printf-style log into aiscope's own log instead of stderr. libbpf hands a va_list, which
 * vsnprintf formats on the C side.
 */
public final class LibbpfLog {
    public enum Level { WARN, INFO, DEBUG }

    // A verifier log arrives as one message and can be long: keep all of it.
    private static final int LINE_MAX = 1 << 20;
    private static volatile BiConsumer<Level, String> sink = (level, line) -> {};
    private static boolean installed;

    private LibbpfLog() {}

    /** Where libbpf's lines go from now on (the engine's log; tests may collect them). */
    public static void sendTo(BiConsumer<Level, String> destination) {
        sink = destination;
        install();
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            var target = MethodHandles.lookup().findStatic(LibbpfLog.class, "print",
                    MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = Libbpf.LINKER.upcallStub(target,
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            Native.call(Libbpf.libbpf_set_print, stub);
            installed = true;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int print(int level, MemorySegment format, MemorySegment args) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment buffer = call.allocate(LINE_MAX);
            int n = (int) Libbpf.vsnprintf.invokeExact(buffer, (long) LINE_MAX, format, args);
            if (n > 0) {
                sink.accept(Level.values()[Math.min(level, 2)], buffer.getString(0).stripTrailing());
            }
            return n;
        } catch (Throwable t) {
            return 0; // an upcall must not throw into C
        }
    }
}
