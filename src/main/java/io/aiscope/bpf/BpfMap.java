package io.aiscope.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** One map of a {@link BpfObject}. Keys and values are raw bytes laid out as the C side declares them. */
public final class BpfMap {
    private static final int BPF_ANY = 0;
    private static final int POSSIBLE_CPUS = (int) Native.call(Libbpf.libbpf_num_possible_cpus);

    private final MemorySegment handle;
    private final String name;

    BpfMap(MemorySegment handle) {
        this.handle = handle;
        this.name = Native.string(Native.pointer("map name", Libbpf.bpf_map__name, handle));
    }

    public String name() {
        return name;
    }

    /** Valid once the object is loaded, or once {@link #reuse} handed it another map's fd. */
    public int fd() {
        return (int) Native.call(Libbpf.bpf_map__fd, handle);
    }

    public int keySize() {
        return (int) Native.call(Libbpf.bpf_map__key_size, handle);
    }

    public int valueSize() {
        return (int) Native.call(Libbpf.bpf_map__value_size, handle);
    }

    public static int possibleCpus() {
        return POSSIBLE_CPUS;
    }

    /** Before load: this map becomes {@code shared}, so several objects read and write one kernel map. */
    public void reuse(BpfMap shared) {
        Native.check("cannot share map " + shared.name + " with " + name, Libbpf.bpf_map__reuse_fd, handle, shared.fd());
    }

    /** Before load: entries of a hash or array map, bytes of a ring buffer (a power of two, page-aligned). */
    public void setMaxEntries(int entries) {
        Native.check("cannot size map " + name, Libbpf.bpf_map__set_max_entries, handle, entries);
    }

    public boolean lookup(MemorySegment key, MemorySegment value) {
        int rc = (int) Native.call(Libbpf.bpf_map_lookup_elem, fd(), key, value);
        if (rc == -Errno.ENOENT) {
            return false;
        }
        if (rc < 0) {
            throw new BpfException("lookup in map " + name + " failed", -rc);
        }
        return true;
    }

    public void update(MemorySegment key, MemorySegment value) {
        Native.check("update of map " + name + " failed", Libbpf.bpf_map_update_elem, fd(), key, value, (long) BPF_ANY);
    }

    /** Deletes a key; false when it was not there. */
    public boolean delete(MemorySegment key) {
        int rc = (int) Native.call(Libbpf.bpf_map_delete_elem, fd(), key);
        if (rc == -Errno.ENOENT) {
            return false;
        }
        if (rc < 0) {
            throw new BpfException("delete in map " + name + " failed", -rc);
        }
        return true;
    }

    /**
     * A snapshot of the keys. Entries may come and go meanwhile; a key deleted under the iteration restarts it
     * from the beginning in the kernel, so callers treat the list as a set.
     */
    public List<MemorySegment> keys(Arena arena) {
        List<MemorySegment> keys = new ArrayList<>();
        MemorySegment previous = MemorySegment.NULL;
        while (true) {
            MemorySegment next = arena.allocate(keySize(), 8);
            int rc = (int) Native.call(Libbpf.bpf_map_get_next_key, fd(), previous, next);
            if (rc == -Errno.ENOENT) {
                return keys;
            }
            if (rc < 0) {
                throw new BpfException("iterating map " + name + " failed", -rc);
            }
            keys.add(next);
            previous = next;
        }
    }

    /** The sum over all CPUs of a per-CPU map's u64 value at {@code index}. */
    public long sumPerCpu(int index) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment key = call.allocateFrom(ValueLayout.JAVA_INT, index);
            long stride = (valueSize() + 7) & ~7L;
            MemorySegment values = call.allocate(stride * POSSIBLE_CPUS, 8);
            if (!lookup(key, values)) {
                return 0;
            }
            long sum = 0;
            for (int cpu = 0; cpu < POSSIBLE_CPUS; cpu++) {
                sum += values.get(ValueLayout.JAVA_LONG, cpu * stride);
            }
            return sum;
        }
    }
}
