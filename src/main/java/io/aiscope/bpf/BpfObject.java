package io.aiscope.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One BPF ELF object: opened from bytes (the jar ships the objects), tuned before load (autoload, map sizes,
 * shared maps), then loaded into the kernel. Owns its programs, maps and links; {@link #close()} detaches all.
 */
public final class BpfObject implements AutoCloseable {
    private final String name;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment handle;
    private final Map<String, BpfProgram> programs = new LinkedHashMap<>();
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final List<BpfLink> links = new ArrayList<>();
    private boolean closed;

    private BpfObject(String name, byte[] elf) {
        LibbpfLog.install();
        this.name = name;
        // libbpf keeps pointing into the buffer until close, so it lives in this object's arena.
        MemorySegment image = arena.allocate(elf.length, 8);
        image.copyFrom(MemorySegment.ofArray(elf));
        MemorySegment opts = arena.allocate(Libbpf.OPEN_OPTS);
        opts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, Libbpf.OPEN_OPTS.byteSize());
        opts.set(java.lang.foreign.ValueLayout.ADDRESS, 8, arena.allocateFrom(name));
        MemorySegment h;
        try {
            h = Native.pointer("cannot open BPF object " + name, Libbpf.bpf_object__open_mem, image, (long) elf.length, opts);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        handle = h;
        for (MemorySegment p = next(Libbpf.bpf_object__next_program, MemorySegment.NULL); !p.equals(MemorySegment.NULL);
                p = next(Libbpf.bpf_object__next_program, p)) {
            BpfProgram program = new BpfProgram(this, p);
            programs.put(program.name(), program);
        }
        for (MemorySegment m = next(Libbpf.bpf_object__next_map, MemorySegment.NULL); !m.equals(MemorySegment.NULL);
                m = next(Libbpf.bpf_object__next_map, m)) {
            BpfMap map = new BpfMap(m);
            maps.put(map.name(), map);
        }
    }

    /** Opens the object {@code resource} found next to {@code owner}'s class file. */
    public static BpfObject open(Class<?> owner, String resource) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BpfException("BPF object " + resource + " is missing from the build (next to "
                        + owner.getName() + "): rebuild with scripts/build-bpf");
            }
            return new BpfObject(resource.replace(".bpf.o", ""), in.readAllBytes());
        } catch (IOException e) {
            throw new BpfException("cannot read BPF object " + resource + ": " + e.getMessage());
        }
    }

    public static BpfObject open(String name, byte[] elf) {
        return new BpfObject(name, elf);
    }

    private MemorySegment next(java.lang.invoke.MethodHandle iterator, MemorySegment previous) {
        return Native.pointerOrNull(iterator, handle, previous);
    }

    public String name() {
        return name;
    }

    public List<BpfProgram> programs() {
        return List.copyOf(programs.values());
    }

    public BpfProgram program(String programName) {
        BpfProgram p = programs.get(programName);
        if (p == null) {
            throw new BpfException("BPF object " + name + " has no program " + programName);
        }
        return p;
    }

    public BpfMap map(String mapName) {
        BpfMap m = maps.get(mapName);
        if (m == null) {
            throw new BpfException("BPF object " + name + " has no map " + mapName);
        }
        return m;
    }

    /**
     * Before load: makes every uprobe program of this object one to attach with uprobe_multi links (see
     * {@link UprobeMulti}); the caller checks {@link UprobeMulti#supported()} first. Returns how many.
     */
    public int useUprobeMulti() {
        int n = 0;
        for (BpfProgram program : programs.values()) {
            if (program.isUprobe()) {
                program.useUprobeMulti();
                n++;
            }
        }
        return n;
    }

    /** Loads every program still set to autoload; the verifier's complaints reach {@link LibbpfLog}. */
    public void load() {
        Native.check("cannot load BPF object " + name, Libbpf.bpf_object__load, handle);
    }

    /** The layout of a struct this object's BTF describes (event layouts defined in the C headers). */
    public BtfStruct struct(String structName) {
        MemorySegment btf = Native.pointer("BPF object " + name + " carries no BTF", Libbpf.bpf_object__btf, handle);
        return BtfStruct.read(btf, structName);
    }

    synchronized BpfLink track(BpfLink link) {
        links.add(link);
        return link;
    }

    synchronized void untrack(BpfLink link) {
        links.remove(link);
    }

    Arena arena() {
        return arena;
    }

    /** Detaches every link (see {@link BpfLink#closeAll}), then frees the programs and maps. */
    @Override
    public void close() {
        List<BpfLink> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = List.copyOf(links);
        }
        // Not under this object's lock: closing links untracks them, from other threads too.
        BpfLink.closeAll(open);
        Native.call(Libbpf.bpf_object__close, handle);
        arena.close();
    }
}
