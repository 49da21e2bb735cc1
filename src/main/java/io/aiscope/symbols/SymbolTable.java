package io.aiscope.symbols;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The function symbols of one ELF file, sorted by address for lookups by ELF virtual address. */
public final class SymbolTable {

    /** Among aliases of one function (malloc, __libc_malloc) the public name is the one a reader expects. */
    private static final Comparator<ElfSymbol> PREFERRED_ALIAS_FIRST = Comparator
            .comparingInt((ElfSymbol s) -> leadingUnderscores(s.name()))
            .thenComparingInt(s -> s.name().length())
            .thenComparing(ElfSymbol::name);

    private final ElfSymbol[] symbols;
    /** The symbols with a size, searched first so that a range holding the address beats a nearer unsized label. */
    private final ElfSymbol[] sized;

    private SymbolTable(ElfSymbol[] symbols) {
        this.symbols = symbols;
        this.sized = Arrays.stream(symbols).filter(s -> s.size() > 0).toArray(ElfSymbol[]::new);
    }

    /** Sorts {@code functions} by address, keeping one name per (address, size). */
    public static SymbolTable of(Collection<ElfSymbol> functions) {
        ElfSymbol[] sorted = functions.toArray(ElfSymbol[]::new);
        Arrays.sort(sorted, Comparator.comparingLong(ElfSymbol::value)
                .thenComparingLong(ElfSymbol::size)
                .thenComparing(PREFERRED_ALIAS_FIRST));
        List<ElfSymbol> distinct = new ArrayList<>(sorted.length);
        for (ElfSymbol symbol : sorted) {
            ElfSymbol last = distinct.isEmpty() ? null : distinct.getLast();
            if (last == null || last.value() != symbol.value() || last.size() != symbol.size()) distinct.add(symbol);
        }
        return new SymbolTable(distinct.toArray(ElfSymbol[]::new));
    }

    public static SymbolTable of(ElfFile elf) throws ElfFormatException {
        return of(elf.functionSymbols());
    }

    public int size() {
        return symbols.length;
    }

    /**
     * The function containing {@code vaddr}: a symbol whose {@code [value, value + size)} range holds it, or else
     * an unsized symbol (hand-written assembly often has no size) that is the nearest one at or below
     * {@code vaddr}, taken to extend up to the next symbol or the end of the function it sits in. An address in
     * the padding after a sized function belongs to no function.
     */
    public Optional<ElfSymbol> symbolAt(long vaddr) {
        // Ties on the start address are sorted by size, so the last one at or below vaddr reaches the furthest.
        int enclosing = lastStartingAtOrBelow(sized, vaddr);
        if (enclosing >= 0 && sized[enclosing].contains(vaddr)) return Optional.of(sized[enclosing]);
        int nearest = lastStartingAtOrBelow(symbols, vaddr);
        if (nearest < 0 || symbols[nearest].size() != 0) return Optional.empty();
        // A label inside a sized function ends where that function does.
        boolean nested = enclosing >= 0 && sized[enclosing].contains(symbols[nearest].value());
        return nested ? Optional.empty() : Optional.of(symbols[nearest]);
    }

    /** Index of the last of the {@code sorted} symbols whose value is at or below {@code vaddr}, or -1. */
    private static int lastStartingAtOrBelow(ElfSymbol[] sorted, long vaddr) {
        int low = 0, high = sorted.length - 1, found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (sorted[mid].value() <= vaddr) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    private static int leadingUnderscores(String name) {
        int n = 0;
        while (n < name.length() && name.charAt(n) == '_') n++;
        return n;
    }
}
