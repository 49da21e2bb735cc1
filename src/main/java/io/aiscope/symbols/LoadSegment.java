package io.aiscope.symbols;

/** A PT_LOAD program header: the file range {@code [fileOffset, fileOffset + fileSize)} is mapped at {@code vaddr}. */
public record LoadSegment(long vaddr, long fileOffset, long fileSize, long memSize, int flags) {

    static final int PF_X = 1;

    public boolean isExecutable() {
        return (flags & PF_X) != 0;
    }

    public boolean containsFileOffset(long offset) {
        return offset >= fileOffset && offset - fileOffset < fileSize;
    }

    /** The ELF virtual address at which the byte at file {@code offset} of this segment is loaded. */
    public long vaddrOf(long offset) {
        return offset - fileOffset + vaddr;
    }
}
