package io.aiscope.symbols;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reader for 64-bit little-endian ELF files (the only kind on x86_64 and aarch64 Linux).
 *
 * <p>The file is memory-mapped, not read into the heap: CUDA libraries such as libtorch_cuda.so weigh a
 * gigabyte, and only their headers and symbol tables are ever touched. The mapping is confined to the
 * thread that opened the file and is released by {@link #close()}.
 */
public final class ElfFile implements AutoCloseable {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int ELF_MAGIC = 0x464c457f; // "\177ELF" read little-endian
    private static final byte ELFCLASS64 = 2, ELFDATA2LSB = 1;
    private static final int EHDR_SIZE = 64, SHDR_SIZE = 64, PHDR_SIZE = 56, SYM_SIZE = 24;
    private static final int ET_DYN = 3;
    private static final int SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_DYNSYM = 11;
    private static final int PT_LOAD = 1;
    private static final int STT_FUNC = 2, STT_GNU_IFUNC = 10;
    private static final int SHN_UNDEF = 0;

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final int type;
    private final List<LoadSegment> loadSegments;
    /** .dynsym first, so that a lookup by name meets the exported definition first. */
    private final List<SymbolSection> symbolSections;

    /** A symbol table section and the string table its names point into. */
    private record SymbolSection(MemorySegment symbols, MemorySegment strings) {}

    /** The same function often appears in both .dynsym and .symtab. */
    private record NameAndValue(String name, long value) {}

    private ElfFile(Path path, Arena arena, MemorySegment file) throws ElfFormatException {
        this.path = path;
        this.arena = arena;
        this.file = file;
        if (file.byteSize() < EHDR_SIZE || u32(file, 0) != ELF_MAGIC) {
            throw new ElfFormatException(path, "not an ELF file");
        }
        if (file.get(ValueLayout.JAVA_BYTE, 4) != ELFCLASS64 || file.get(ValueLayout.JAVA_BYTE, 5) != ELFDATA2LSB) {
            throw new ElfFormatException(path, "not a 64-bit little-endian ELF file");
        }
        this.type = u16(16);
        this.loadSegments = readLoadSegments();
        this.symbolSections = readSymbolSections();
    }

    /** Maps {@code path} and parses its ELF header, program headers and section headers. */
    public static ElfFile open(Path path) throws IOException {
        Arena arena = Arena.ofConfined();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return new ElfFile(path, arena, channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** ET_DYN: a shared library or a position-independent executable, as opposed to a fixed-address ET_EXEC. */
    public boolean isSharedObject() {
        return type == ET_DYN;
    }

    public List<LoadSegment> loadSegments() {
        return loadSegments;
    }

    /** Defined functions (STT_FUNC and STT_GNU_IFUNC with a non-zero address) of .dynsym and .symtab, each once. */
    public List<ElfSymbol> functionSymbols() throws ElfFormatException {
        Map<NameAndValue, ElfSymbol> functions = new LinkedHashMap<>();
        forEachFunction(null, (section, entry) -> {
            ElfSymbol symbol = symbolOf(section, entry, nameOf(section, entry));
            functions.merge(new NameAndValue(symbol.name(), symbol.value()), symbol,
                    (known, other) -> known.size() >= other.size() ? known : other);
        });
        return List.copyOf(functions.values());
    }

    /** The function called {@code name} defined in this file, looked up in .dynsym, then .symtab. */
    public Optional<ElfSymbol> definedFunction(String name) throws ElfFormatException {
        ElfSymbol[] found = new ElfSymbol[1];
        forEachFunction(List.of(name), (section, entry) -> {
            if (found[0] == null && nameOf(section, entry).equals(name)) {
                found[0] = symbolOf(section, entry, name);
            }
        });
        return Optional.ofNullable(found[0]);
    }

    /** Which of {@code names} this file defines as functions. */
    public Set<String> definedFunctions(Collection<String> names) throws ElfFormatException {
        Set<String> wanted = Set.copyOf(names), defined = new HashSet<>();
        forEachFunction(wanted, (section, entry) -> {
            String name = nameOf(section, entry);
            if (wanted.contains(name)) defined.add(name);
        });
        return defined;
    }

    public boolean definesAny(Collection<String> names) throws ElfFormatException {
        return !definedFunctions(names).isEmpty();
    }

    /** Whether the file has a symbol table (.dynsym or .symtab) at all. */
    public boolean hasSymbols() {
        return !symbolSections.isEmpty();
    }

    /** Whether a defined function's name passes {@code test}; every name is decoded until one does. */
    public boolean definesFunction(Predicate<String> test) throws ElfFormatException {
        boolean[] found = new boolean[1];
        forEachFunction(null, (section, entry) -> {
            if (!found[0] && test.test(nameOf(section, entry))) {
                found[0] = true;
            }
        });
        return found[0];
    }

    /** Whether a section has this name (e.g. ".go.buildinfo"). */
    public boolean hasSection(String name) throws ElfFormatException {
        long shoff = u64(40);
        int shstrndx = u16(62);
        if (shoff == 0 || shstrndx == 0) return false;
        long shnum = u16(60);
        if (shnum == 0) shnum = u64(slice(shoff, SHDR_SIZE, "section headers"), 32);
        if (shstrndx >= shnum) throw new ElfFormatException(path, "section name table index out of range");
        MemorySegment headers = slice(shoff, shnum * SHDR_SIZE, "section headers");
        MemorySegment names = slice(u64(headers, shstrndx * SHDR_SIZE + 24L), u64(headers, shstrndx * SHDR_SIZE + 32L),
                "section name table");
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        for (long sh = 0; sh < headers.byteSize(); sh += SHDR_SIZE) {
            long at = Integer.toUnsignedLong(u32(headers, sh));
            if (at + wanted.length < names.byteSize() && names.get(ValueLayout.JAVA_BYTE, at + wanted.length) == 0
                    && names.asSlice(at, wanted.length).mismatch(MemorySegment.ofArray(wanted)) == -1) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        arena.close();
    }

    private interface EntryVisitor {
        void visit(SymbolSection section, long entry) throws ElfFormatException;
    }

    /**
     * Visits the defined function entries of every symbol section. With {@code candidates}, entries whose name
     * length matches no candidate are skipped before their name is decoded: a large library holds hundreds of
     * thousands of symbols and most lookups want a handful.
     */
    private void forEachFunction(Collection<String> candidates, EntryVisitor visitor) throws ElfFormatException {
        BitSet lengths = null;
        if (candidates != null) {
            lengths = new BitSet();
            for (String name : candidates) lengths.set(name.getBytes(StandardCharsets.UTF_8).length);
        }
        for (SymbolSection section : symbolSections) {
            for (long entry = 0; entry + SYM_SIZE <= section.symbols.byteSize(); entry += SYM_SIZE) {
                int kind = section.symbols.get(ValueLayout.JAVA_BYTE, entry + 4) & 0xf;
                if ((kind != STT_FUNC && kind != STT_GNU_IFUNC)
                        || u16(section.symbols, entry + 6) == SHN_UNDEF
                        || u64(section.symbols, entry + 8) == 0) {
                    continue;
                }
                if (lengths != null && !lengths.get(nameLength(section, entry))) continue;
                visitor.visit(section, entry);
            }
        }
    }

    private static ElfSymbol symbolOf(SymbolSection section, long entry, String name) {
        return new ElfSymbol(name, u64(section.symbols, entry + 8), u64(section.symbols, entry + 16));
    }

    private int nameLength(SymbolSection section, long entry) throws ElfFormatException {
        long start = Integer.toUnsignedLong(u32(section.symbols, entry)), end = start;
        long limit = section.strings.byteSize();
        while (end < limit && section.strings.get(ValueLayout.JAVA_BYTE, end) != 0) end++;
        if (end >= limit) throw new ElfFormatException(path, "symbol name outside its string table");
        return (int) Math.min(end - start, Integer.MAX_VALUE);
    }

    private String nameOf(SymbolSection section, long entry) throws ElfFormatException {
        long start = Integer.toUnsignedLong(u32(section.symbols, entry));
        byte[] bytes = section.strings.asSlice(start, nameLength(section, entry)).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private List<LoadSegment> readLoadSegments() throws ElfFormatException {
        long phoff = u64(32);
        int phnum = u16(56);
        if (phnum == 0) return List.of();
        if (u16(54) != PHDR_SIZE) throw new ElfFormatException(path, "unexpected program header size " + u16(54));
        MemorySegment headers = slice(phoff, (long) phnum * PHDR_SIZE, "program headers");
        List<LoadSegment> segments = new ArrayList<>();
        for (long ph = 0; ph < headers.byteSize(); ph += PHDR_SIZE) {
            if (u32(headers, ph) == PT_LOAD) {
                segments.add(new LoadSegment(u64(headers, ph + 16), u64(headers, ph + 8),
                        u64(headers, ph + 32), u64(headers, ph + 40), u32(headers, ph + 4)));
            }
        }
        return List.copyOf(segments);
    }

    private List<SymbolSection> readSymbolSections() throws ElfFormatException {
        long shoff = u64(40);
        if (shoff == 0) return List.of(); // section headers stripped: no symbols to read
        if (u16(58) != SHDR_SIZE) throw new ElfFormatException(path, "unexpected section header size " + u16(58));
        MemorySegment first = slice(shoff, SHDR_SIZE, "section headers");
        long shnum = u16(60);
        if (shnum == 0) shnum = u64(first, 32); // more than 0xff00 sections: the count lives in section 0
        MemorySegment headers = slice(shoff, shnum * SHDR_SIZE, "section headers");

        List<SymbolSection> dynsym = new ArrayList<>(), symtab = new ArrayList<>();
        for (long sh = 0; sh < headers.byteSize(); sh += SHDR_SIZE) {
            int sectionType = u32(headers, sh + 4);
            if (sectionType != SHT_DYNSYM && sectionType != SHT_SYMTAB) continue;
            long link = Integer.toUnsignedLong(u32(headers, sh + 40));
            if (link == 0 || link >= shnum || u32(headers, link * SHDR_SIZE + 4) != SHT_STRTAB) {
                throw new ElfFormatException(path, "symbol table without a string table");
            }
            SymbolSection section = new SymbolSection(
                    slice(u64(headers, sh + 24), u64(headers, sh + 32), "symbol table"),
                    slice(u64(headers, link * SHDR_SIZE + 24), u64(headers, link * SHDR_SIZE + 32), "string table"));
            (sectionType == SHT_DYNSYM ? dynsym : symtab).add(section);
        }
        dynsym.addAll(symtab);
        return List.copyOf(dynsym);
    }

    private MemorySegment slice(long offset, long length, String what) throws ElfFormatException {
        if (offset < 0 || length < 0 || offset > file.byteSize() || length > file.byteSize() - offset) {
            throw new ElfFormatException(path, what + " extend past the end of the file (truncated?)");
        }
        return file.asSlice(offset, length);
    }

    private int u16(long offset) {
        return u16(file, offset);
    }

    private long u64(long offset) {
        return u64(file, offset);
    }

    private static int u16(MemorySegment segment, long offset) {
        return Short.toUnsignedInt(segment.get(U16, offset));
    }

    private static int u32(MemorySegment segment, long offset) {
        return segment.get(U32, offset);
    }

    private static long u64(MemorySegment segment, long offset) {
        return segment.get(U64, offset);
    }
}
