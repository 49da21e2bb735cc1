package io.aiscope.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** One program of a {@link BpfObject}: switched on or off before load, attached after. */
public final class BpfProgram {
    private final BpfObject object;
    private final MemorySegment handle;
    private final String name;
    private final String section;
    private volatile boolean uprobeMulti;

    BpfProgram(BpfObject object, MemorySegment handle) {
        this.object = object;
        this.handle = handle;
        this.name = Native.string(Native.pointer("program name", Libbpf.bpf_program__name, handle));
        this.section = Native.string(Native.pointer("program section", Libbpf.bpf_program__section_name, handle));
    }

    public String name() {
        return name;
    }

    /** The ELF section, which says the program type and attach point ("tp_btf/sched_switch", "uprobe"). */
    public String section() {
        return section;
    }

    /** Before load: leaves the program out, so one this kernel refuses does not sink the others. */
    public void setAutoload(boolean autoload) {
        Native.check("cannot set autoload of " + name, Libbpf.bpf_program__set_autoload, handle, autoload);
    }

    public boolean autoload() {
        return (boolean) Native.call(Libbpf.bpf_program__autoload, handle);
    }

    /** Whether the section makes this a uprobe or uretprobe program ("uprobe", "uretprobe/lib:fn"; not sleepable). */
    public boolean isUprobe() {
        return section.equals("uprobe") || section.equals("uretprobe")
                || section.startsWith("uprobe/") || section.startsWith("uretprobe/");
    }

    /**
     * Before load: this uprobe program will be attached with uprobe_multi links (see {@link UprobeMulti}); only
     * where {@link UprobeMulti#supported()}. The kernel then attaches it no other way, so
     * {@link #attachUprobe} makes a one-function multi link for it.
     */
    public void useUprobeMulti() {
        Native.check("cannot set the attach type of " + name, Libbpf.bpf_program__set_expected_attach_type, handle,
                UprobeMulti.BPF_TRACE_UPROBE_MULTI);
        uprobeMulti = true;
    }

    /** Whether {@link #useUprobeMulti()} was called: attach with {@link #attachUprobeMulti}. */
    public boolean isUprobeMulti() {
        return uprobeMulti;
    }

    /**
     * One uprobe_multi link putting this program on many functions of {@code binary} at once: each target is a
     * file offset and the cookie the program reads there; {@code pid} -1 for every process mapping the file.
     * Closing the link detaches all of them together.
     */
    public BpfLink attachUprobeMulti(Path binary, List<UprobeTarget> targets, boolean returnProbe, int pid) {
        if (!uprobeMulti) {
            throw new BpfException(name + " was not loaded for uprobe_multi (useUprobeMulti before load)");
        }
        long[] offsets = targets.stream().mapToLong(UprobeTarget::fileOffset).toArray();
        long[] cookies = targets.stream().mapToLong(UprobeTarget::cookie).toArray();
        int fd = UprobeMulti.link(fd(), binary, offsets, cookies, returnProbe, pid);
        String what = (returnProbe ? "uretprobe_multi " : "uprobe_multi ") + binary + ":"
                + (targets.size() == 1 ? targets.getFirst().function() : targets.size() + " functions");
        return object.track(new BpfLink(object, fd, name + " → " + what));
    }

    /** A function to probe with a uprobe_multi link: where it lies in the file, and its attach cookie. */
    public record UprobeTarget(String function, long fileOffset, long cookie) {}

    private int fd() {
        int fd = (int) Native.call(Libbpf.bpf_program__fd, handle);
        if (fd < 0) {
            throw new BpfException(name + " is not loaded", -fd);
        }
        return fd;
    }

    /** Attaches where the section name says (tracepoints, tp_btf, raw_tp). */
    public BpfLink attach() {
        MemorySegment link = Native.pointer("cannot attach " + name + " (" + section + ")",
                Libbpf.bpf_program__attach, handle);
        return object.track(new BpfLink(object, link, name + " → " + section));
    }

    /**
     * Attaches to function {@code function} of the ELF file {@code binary} (a library or executable), for every
     * process mapping it ({@code pid} -1) or one process; the program reads {@code cookie} with
     * bpf_get_attach_cookie.
     */
    public BpfLink attachUprobe(Path binary, String function, boolean returnProbe, int pid, long cookie) {
        if (uprobeMulti) {
            Long offset;
            try {
                offset = UprobeMulti.fileOffsets(binary, List.of(function)).get(function);
            } catch (IOException e) {
                throw new BpfException("cannot attach " + name + " to " + binary + ":" + function + ": " + e.getMessage());
            }
            if (offset == null) {
                throw new BpfException("cannot attach " + name + ": " + binary + " does not define " + function,
                        Errno.ENOENT);
            }
            return attachUprobeMulti(binary, List.of(new UprobeTarget(function, offset, cookie)), returnProbe, pid);
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment opts = call.allocate(Libbpf.UPROBE_OPTS);
            opts.set(ValueLayout.JAVA_LONG, 0, Libbpf.UPROBE_OPTS.byteSize());
            opts.set(ValueLayout.JAVA_LONG, 16, cookie);
            opts.set(ValueLayout.JAVA_BOOLEAN, 24, returnProbe);
            opts.set(ValueLayout.ADDRESS, 32, call.allocateFrom(function));
            String what = (returnProbe ? "uretprobe " : "uprobe ") + binary + ":" + function;
            MemorySegment link = Native.pointer("cannot attach " + name + " as " + what,
                    Libbpf.bpf_program__attach_uprobe_opts, handle, pid, call.allocateFrom(binary.toString()), 0L, opts);
            return object.track(new BpfLink(object, link, name + " → " + what));
        }
    }

    /** Attaches to an open perf event (CPU sampling); the link owns the event's fd from then on. */
    public BpfLink attachPerfEvent(PerfEvent event) {
        MemorySegment link = Native.pointer("cannot attach " + name + " to a perf event",
                Libbpf.bpf_program__attach_perf_event, handle, event.fd());
        return object.track(new BpfLink(object, link, name + " → perf_event cpu " + event.cpu()));
    }
}
