package io.aiscope.bpf;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * An attachment of a program; closing it detaches the program from that point. Either a libbpf {@code struct
 * bpf_link} or a bare BPF link fd aiscope created itself with bpf(2) (uprobe_multi, which libbpf 1.1 lacks).
 */
public final class BpfLink implements AutoCloseable {
    private final BpfObject object;
    private final MemorySegment handle;
    private final int fd;
    private final String description;
    private boolean closed;

    BpfLink(BpfObject object, MemorySegment handle, String description) {
        this.object = object;
        this.handle = handle;
        this.fd = -1;
        this.description = description;
    }

    /** Owns {@code linkFd}: closing the fd is what detaches a BPF link. */
    BpfLink(BpfObject object, int linkFd, String description) {
        this.object = object;
        this.handle = null;
        this.fd = linkFd;
        this.description = description;
    }

    public String description() {
        return description;
    }

    /**
     * Closes {@code links}. Each link fd aiscope made (uprobe_multi) waits for its own RCU grace period on close
     * (≈ 40 ms here), and those waits overlap when closed from several threads at once: 7 links close in ≈ 60 ms
     * together against ≈ 300 ms one after the other. libbpf's perf-event uprobe links gain nothing that way (the
     * kernel serialises them), so they are closed in turn on the calling thread.
     */
    public static void closeAll(List<BpfLink> links) {
        List<BpfLink> fdLinks = links.stream().filter(l -> l.handle == null).toList();
        List<Thread> closers = new ArrayList<>();
        for (int i = 1; i < fdLinks.size(); i++) {
            closers.add(Thread.ofPlatform().daemon().name("aiscope-detach").start(fdLinks.get(i)::close));
        }
        links.stream().filter(l -> l.handle != null).forEach(BpfLink::close);
        if (!fdLinks.isEmpty()) {
            fdLinks.getFirst().close();
        }
        boolean interrupted = false;
        for (Thread closer : closers) {
            while (true) {
                try {
                    closer.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the links must be gone before the object is freed: wait on
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        object.untrack(this);
        if (handle != null) {
            Native.call(Libbpf.bpf_link__destroy, handle);
        } else {
            try {
                int ignored = (int) Libbpf.close.invokeExact(fd);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
