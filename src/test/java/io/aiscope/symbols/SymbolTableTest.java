package io.aiscope.symbols;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SymbolTableTest {

    private final SymbolTable table = SymbolTable.of(List.of(
            new ElfSymbol("second", 0x110, 0x10),
            new ElfSymbol("first", 0x100, 0x10),
            new ElfSymbol("asm_entry", 0x200, 0),
            new ElfSymbol("after_asm", 0x300, 0x10),
            new ElfSymbol("outer", 0x400, 0x100),
            new ElfSymbol("inner_label", 0x450, 0),
            new ElfSymbol("__libc_malloc", 0x600, 0x20),
            new ElfSymbol("malloc", 0x600, 0x20),
            new ElfSymbol("__malloc", 0x600, 0x20)));

    @Test
    void rangesIncludeTheirStartAndExcludeTheirEnd() {
        assertThat(nameAt(0x0ff)).isEmpty();
        assertThat(nameAt(0x100)).hasValue("first");
        assertThat(nameAt(0x10f)).hasValue("first");
        assertThat(nameAt(0x110)).hasValue("second");
        assertThat(nameAt(0x11f)).hasValue("second");
        assertThat(nameAt(0x120)).as("padding after a sized function").isEmpty();
    }

    @Test
    void unsizedSymbolExtendsToTheNextSymbol() {
        assertThat(nameAt(0x200)).hasValue("asm_entry");
        assertThat(nameAt(0x2ff)).hasValue("asm_entry");
        assertThat(nameAt(0x300)).hasValue("after_asm");
        assertThat(nameAt(0x310)).isEmpty();
    }

    @Test
    void enclosingRangeBeatsNearerUnsizedLabel() {
        assertThat(nameAt(0x460)).hasValue("outer");
        assertThat(nameAt(0x500)).as("past outer, the label does not stretch beyond it").isEmpty();
    }

    @Test
    void aliasesCollapseToThePublicName() {
        assertThat(nameAt(0x610)).hasValue("malloc");
        assertThat(table.size()).isEqualTo(7);
    }

    @Test
    void emptyTableFindsNothing() {
        assertThat(SymbolTable.of(List.of()).symbolAt(0x100)).isEmpty();
    }

    private Optional<String> nameAt(long vaddr) {
        return table.symbolAt(vaddr).map(ElfSymbol::name);
    }
}
