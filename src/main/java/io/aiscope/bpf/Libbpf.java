package io.aiscope.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The downcalls into libbpf.so.1 (and the few libc calls that go with them), one handle per C function, named as
 * in libbpf.h. Everything above this class speaks Java; nothing below it does.
 */
final class Libbpf {
    private Libbpf() {}

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBBPF = load();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static SymbolLookup load() {
        try {
            return SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
        } catch (IllegalArgumentException e) {
            throw new BpfException("libbpf.so.1 is not installed (Debian: apt-get install libbpf1; or run scripts/setup)");
        }
    }

    private static MethodHandle fn(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBBPF.findOrThrow(name), fd, Linker.Option.captureCallState("errno"));
    }

    private static MethodHandle libc(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), fd, options);
    }

    /** A buffer for the errno a downcall leaves behind; one per calling thread. */
    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    // struct bpf_object_open_opts (libbpf 1.1): sz, object_name, relaxed_maps, pin_root_path, (stub u32),
    // kconfig, btf_custom_path, kernel_log_buf, kernel_log_size, kernel_log_level. Only sz and object_name are set.
    static final StructLayout OPEN_OPTS = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"), ADDRESS.withName("object_name"), JAVA_BOOLEAN.withName("relaxed_maps"),
            MemoryLayout.paddingLayout(7), ADDRESS.withName("pin_root_path"), JAVA_INT, MemoryLayout.paddingLayout(4),
            ADDRESS.withName("kconfig"), ADDRESS.withName("btf_custom_path"), ADDRESS.withName("kernel_log_buf"),
            JAVA_LONG.withName("kernel_log_size"), JAVA_INT.withName("kernel_log_level"), MemoryLayout.paddingLayout(4));

    // struct bpf_uprobe_opts: sz, ref_ctr_offset, bpf_cookie, retprobe, func_name.
    static final StructLayout UPROBE_OPTS = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"), JAVA_LONG.withName("ref_ctr_offset"), JAVA_LONG.withName("bpf_cookie"),
            JAVA_BOOLEAN.withName("retprobe"), MemoryLayout.paddingLayout(7), ADDRESS.withName("func_name"));

    static final MethodHandle bpf_object__open_mem = fn("bpf_object__open_mem",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle bpf_object__load = fn("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle bpf_object__close = fn("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle bpf_object__next_program = fn("bpf_object__next_program",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle bpf_object__next_map = fn("bpf_object__next_map",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle bpf_object__btf = fn("bpf_object__btf", FunctionDescriptor.of(ADDRESS, ADDRESS));

    static final MethodHandle bpf_program__name = fn("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle bpf_program__section_name = fn("bpf_program__section_name",
            FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle bpf_program__set_autoload = fn("bpf_program__set_autoload",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN));
    static final MethodHandle bpf_program__autoload = fn("bpf_program__autoload",
            FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    static final MethodHandle bpf_program__fd = fn("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle bpf_program__set_expected_attach_type = fn("bpf_program__set_expected_attach_type",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle bpf_program__expected_attach_type = fn("bpf_program__expected_attach_type",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle bpf_program__attach = fn("bpf_program__attach", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle bpf_program__attach_uprobe_opts = fn("bpf_program__attach_uprobe_opts",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle bpf_program__attach_perf_event = fn("bpf_program__attach_perf_event",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle bpf_link__destroy = fn("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    static final MethodHandle bpf_map__name = fn("bpf_map__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle bpf_map__fd = fn("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle bpf_map__reuse_fd = fn("bpf_map__reuse_fd",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle bpf_map__set_max_entries = fn("bpf_map__set_max_entries",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle bpf_map__key_size = fn("bpf_map__key_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle bpf_map__value_size = fn("bpf_map__value_size",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle bpf_map__initial_value = fn("bpf_map__initial_value",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    static final MethodHandle bpf_map_lookup_elem = fn("bpf_map_lookup_elem",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle bpf_map_update_elem = fn("bpf_map_update_elem",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle bpf_map_delete_elem = fn("bpf_map_delete_elem",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle bpf_map_get_next_key = fn("bpf_map_get_next_key",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    static final MethodHandle ring_buffer__new = fn("ring_buffer__new",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle ring_buffer__add = fn("ring_buffer__add",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle ring_buffer__poll = fn("ring_buffer__poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle ring_buffer__consume = fn("ring_buffer__consume",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle ring_buffer__free = fn("ring_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));

    static final MethodHandle btf__find_by_name_kind = fn("btf__find_by_name_kind",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle btf__type_by_id = fn("btf__type_by_id",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle btf__name_by_offset = fn("btf__name_by_offset",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle btf__resolve_size = fn("btf__resolve_size",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));

    static final MethodHandle libbpf_set_print = fn("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle libbpf_probe_bpf_prog_type = fn("libbpf_probe_bpf_prog_type",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle libbpf_num_possible_cpus = fn("libbpf_num_possible_cpus",
            FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle libbpf_major_version = fn("libbpf_major_version", FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle libbpf_minor_version = fn("libbpf_minor_version", FunctionDescriptor.of(JAVA_INT));

    // libc: formatting libbpf's printf-style log (its callback hands us a va_list), and perf_event_open(2).
    static final MethodHandle vsnprintf = libc("vsnprintf",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    static final MethodHandle syscall6 = libc("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    /** {@code syscall(SYS_bpf, cmd, &attr, size)}: for what libbpf 1.1 has no API for (uprobe_multi links). */
    static final MethodHandle syscallBpf = libc("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    static final MethodHandle close = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

}
