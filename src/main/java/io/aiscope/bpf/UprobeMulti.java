package io.aiscope.bpf;

import io.aiscope.symbols.ElfFile;
import io.aiscope.symbols.ElfSymbol;
import io.aiscope.symbols.LoadSegment;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * uprobe_multi links (kernel 6.6+): one BPF link puts a program on many functions of one file, and closing it
 * takes them all out with a single synchronisation, where one link per function costs a grace period each (about
 * 100 ms apiece, serialised). libbpf 1.1 knows nothing of them, so the link is created here with bpf(2).
 *
 * <p>A program attached this way must be loaded with expected_attach_type BPF_TRACE_UPROBE_MULTI
 * ({@link BpfProgram#useUprobeMulti()}), and the kernel then refuses to attach it any other way. libbpf 1.1 passes
 * the attach type through to BPF_PROG_LOAD untouched (for "uprobe" sections it applies no rule of its own).
 *
 * <p>The {@code union bpf_attr} offsets below are those of the kernel's UAPI, read from its BTF
 * ({@code bpftool btf dump file /sys/kernel/btf/vmlinux}, union bpf_attr, kernel 6.18); they are ABI and never
 * move. The attr is passed with the size up to the end of the last member used, the rest of the union being zero
 * to the kernel.
 */
public final class UprobeMulti {
    private UprobeMulti() {}

    /** enum bpf_attach_type BPF_TRACE_UPROBE_MULTI. */
    static final int BPF_TRACE_UPROBE_MULTI = 48;
    /** uprobe_multi.flags: the offsets are return probes. */
    static final int BPF_F_UPROBE_MULTI_RETURN = 1;

    private static final int BPF_PROG_LOAD = 5, BPF_LINK_CREATE = 28;
    private static final int BPF_PROG_TYPE_KPROBE = 2;

    // union bpf_attr, struct for BPF_PROG_LOAD: prog_type u32 @0, insn_cnt u32 @4, insns u64 @8, license u64 @16,
    // log_level u32 @24, log_size u32 @28, log_buf u64 @32, kern_version u32 @40, prog_flags u32 @44,
    // prog_name char[16] @48, prog_ifindex u32 @64, expected_attach_type u32 @68.
    private static final int PROG_LOAD_SIZE = 72;
    // union bpf_attr, link_create: prog_fd u32 @0, target_fd u32 @4, attach_type u32 @8, flags u32 @12, then the
    // union at @16 whose uprobe_multi member is: path u64 @16, offsets u64 @24, ref_ctr_offsets u64 @32,
    // cookies u64 @40, cnt u32 @48, flags u32 @52, pid u32 @56 (the link_create struct is 64 bytes).
    private static final int LINK_CREATE_SIZE = 64;

    /** SYS_bpf: 321 on x86_64, 280 on aarch64 (asm-generic). */
    private static final long SYS_BPF = System.getProperty("os.arch").equals("aarch64") ? 280 : 321;

    private static volatile Boolean supported;

    /**
     * Whether this kernel creates uprobe_multi links: loads a two-instruction program with
     * BPF_TRACE_UPROBE_MULTI and asks for a link on "/" (not a regular file), as libbpf 1.3+ does. A kernel with
     * uprobe_multi refuses with EBADF; one without, or without the privilege, with something else. Asked once.
     */
    public static boolean supported() {
        Boolean known = supported;
        if (known == null) {
            known = probe();
            supported = known;
        }
        return known;
    }

    private static boolean probe() {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment insns = call.allocate(16, 8);
            insns.set(ValueLayout.JAVA_LONG, 0, 0xb7L); // BPF_ALU64 | BPF_MOV | BPF_K: r0 = 0
            insns.set(ValueLayout.JAVA_LONG, 8, 0x95L); // BPF_JMP | BPF_EXIT
            MemorySegment attr = call.allocate(PROG_LOAD_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, BPF_PROG_TYPE_KPROBE);
            attr.set(ValueLayout.JAVA_INT, 4, 2);
            attr.set(ValueLayout.ADDRESS, 8, insns);
            attr.set(ValueLayout.ADDRESS, 16, call.allocateFrom("GPL"));
            attr.set(ValueLayout.JAVA_INT, 68, BPF_TRACE_UPROBE_MULTI);
            long progFd = bpf(BPF_PROG_LOAD, attr, PROG_LOAD_SIZE);
            if (progFd < 0) {
                return false;
            }
            try {
                MemorySegment offset = call.allocate(ValueLayout.JAVA_LONG);
                long linkFd = bpf(BPF_LINK_CREATE, linkCreateAttr(call, (int) progFd, "/", offset, MemorySegment.NULL,
                        1, 0, 0), LINK_CREATE_SIZE);
                if (linkFd >= 0) {
                    close((int) linkFd);
                    return false;
                }
                return Native.lastErrno() == Errno.EBADF;
            } finally {
                close((int) progFd);
            }
        }
    }

    /**
     * Creates one uprobe_multi link of program {@code progFd} on the file offsets {@code offsets} of
     * {@code binary}, the program reading {@code cookies[i]} at offset i; {@code pid} 0 or less: every process.
     * Returns the link's fd.
     */
    static int link(int progFd, Path binary, long[] offsets, long[] cookies, boolean returnProbe, int pid) {
        if (offsets.length == 0 || offsets.length != cookies.length) {
            throw new IllegalArgumentException(offsets.length + " offsets, " + cookies.length + " cookies");
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment attr = linkCreateAttr(call, progFd, binary.toString(),
                    call.allocateFrom(ValueLayout.JAVA_LONG, offsets), call.allocateFrom(ValueLayout.JAVA_LONG, cookies),
                    offsets.length, returnProbe ? BPF_F_UPROBE_MULTI_RETURN : 0, Math.max(pid, 0));
            long fd = bpf(BPF_LINK_CREATE, attr, LINK_CREATE_SIZE);
            if (fd < 0) {
                throw new BpfException("cannot create a uprobe_multi link (" + offsets.length + " "
                        + (returnProbe ? "uretprobes" : "uprobes") + " in " + binary + ")", Native.lastErrno());
            }
            return (int) fd;
        }
    }

    private static MemorySegment linkCreateAttr(Arena call, int progFd, String path, MemorySegment offsets,
            MemorySegment cookies, int count, int flags, int pid) {
        MemorySegment attr = call.allocate(LINK_CREATE_SIZE, 8);
        attr.set(ValueLayout.JAVA_INT, 0, progFd);                  // prog_fd
        attr.set(ValueLayout.JAVA_INT, 4, 0);                       // target_fd: unused
        attr.set(ValueLayout.JAVA_INT, 8, BPF_TRACE_UPROBE_MULTI);  // attach_type
        attr.set(ValueLayout.JAVA_INT, 12, 0);                      // flags: must be 0
        attr.set(ValueLayout.ADDRESS, 16, call.allocateFrom(path)); // uprobe_multi.path
        attr.set(ValueLayout.ADDRESS, 24, offsets);                 // uprobe_multi.offsets
        attr.set(ValueLayout.ADDRESS, 32, MemorySegment.NULL);      // uprobe_multi.ref_ctr_offsets
        attr.set(ValueLayout.ADDRESS, 40, cookies);                 // uprobe_multi.cookies
        attr.set(ValueLayout.JAVA_INT, 48, count);                  // uprobe_multi.cnt
        attr.set(ValueLayout.JAVA_INT, 52, flags);                  // uprobe_multi.flags
        attr.set(ValueLayout.JAVA_INT, 56, pid);                    // uprobe_multi.pid
        return attr;
    }

    /**
     * The file offsets of those of {@code functions} that {@code binary} defines, by name: where a uprobe on
     * each goes (symbol value translated through the PT_LOAD segment holding it: value - p_vaddr + p_offset).
     * Functions the file lacks, or whose address lies outside the file's loaded bytes, are left out.
     */
    public static Map<String, Long> fileOffsets(Path binary, Collection<String> functions) throws IOException {
        Map<String, Long> offsets = new LinkedHashMap<>();
        try (ElfFile elf = ElfFile.open(binary)) {
            for (String function : functions) {
                Optional<ElfSymbol> symbol = elf.definedFunction(function);
                if (symbol.isEmpty()) {
                    continue;
                }
                long value = symbol.get().value();
                for (LoadSegment segment : elf.loadSegments()) {
                    if (value >= segment.vaddr() && value - segment.vaddr() < segment.fileSize()) {
                        offsets.put(function, value - segment.vaddr() + segment.fileOffset());
                        break;
                    }
                }
            }
        }
        return offsets;
    }

    private static long bpf(int cmd, MemorySegment attr, int size) {
        try {
            return (long) Libbpf.syscallBpf.invokeExact(Native.state(), SYS_BPF, cmd, attr, size);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void close(int fd) {
        try {
            int ignored = (int) Libbpf.close.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
