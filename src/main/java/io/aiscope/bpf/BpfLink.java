package io.aiscope.bpf;

import java.lang.foreign.MemorySegment;

/** An attachment of a program; closing it detaches the program from that point. */
public final class BpfLink implements AutoCloseable {
    private final BpfObject object;
    private final MemorySegment handle;
    private final String description;
    private boolean closed;

    BpfLink(BpfObject object, MemorySegment handle, String description) {
        this.object = object;
        this.handle = handle;
        this.description = description;
    }

    public String description() {
        return description;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        object.untrack(this);
        Native.call(Libbpf.bpf_link__destroy, handle);
    }

    @Override
    public String toString() {
        return description;
    }
}
