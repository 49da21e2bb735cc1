package io.aiscope.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/** One program of a {@link BpfObject}: switched on or off before load, attached after. */
public final class BpfProgram {
    private final BpfObject object;
    private final MemorySegment handle;
    private final String name;
    private final String section;

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
