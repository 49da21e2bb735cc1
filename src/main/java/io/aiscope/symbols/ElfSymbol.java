package io.aiscope.symbols;

/** A function symbol: its name as stored in the ELF file (possibly mangled), ELF virtual address and byte size. */
public record ElfSymbol(String name, long value, long size) {

    /** True when {@code vaddr} lies inside {@code [value, value + size)}; an unsized symbol contains nothing. */
    public boolean contains(long vaddr) {
        return vaddr >= value && vaddr - value < size;
    }
}
