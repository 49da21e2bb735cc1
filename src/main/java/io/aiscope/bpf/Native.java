package io.aiscope.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Control-plane downcalls: invoke, capture errno, and turn C failure conventions into exceptions. */
final class Native {
    private Native() {}

    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> Libbpf.callState(Arena.ofAuto()));

    /** Where a downcall made with captureCallState leaves errno; pass it as the first argument. */
    static MemorySegment state() {
        return CALL_STATE.get();
    }

    static int lastErrno() {
        return Libbpf.errno(CALL_STATE.get());
    }

    /** Calls a libbpf function made by {@code Libbpf.fn} (its first parameter is the call state). */
    static Object call(MethodHandle handle, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = state();
        System.arraycopy(args, 0, all, 1, args.length);
        try {
            return handle.invokeWithArguments(all);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A pointer-returning call: NULL means failure with errno set. */
    static MemorySegment pointer(String what, MethodHandle handle, Object... args) {
        MemorySegment p = (MemorySegment) call(handle, args);
        if (p.equals(MemorySegment.NULL)) {
            throw new BpfException(what, lastErrno());
        }
        return p;
    }

    /** A pointer-returning call where NULL is an answer (not found, end of iteration). */
    static MemorySegment pointerOrNull(MethodHandle handle, Object... args) {
        return (MemorySegment) call(handle, args);
    }

    /** An int-returning call: negative means failure, as -errno. */
    static int check(String what, MethodHandle handle, Object... args) {
        int rc = (int) call(handle, args);
        if (rc < 0) {
            throw new BpfException(what, -rc);
        }
        return rc;
    }

    static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? null : cString.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
