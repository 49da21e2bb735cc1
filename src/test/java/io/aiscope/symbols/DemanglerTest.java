package io.aiscope.symbols;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class DemanglerTest {

    private final Demangler demangler = Demangler.create();

    @Test
    void demanglesFunctions() {
        assertThat(demangler.isAvailable()).isTrue();
        assertThat(demangler.demangle("_Z6vecAddPfS_S_i")).isEqualTo("vecAdd(float*, float*, float*, int)");
    }

    @Test
    void demanglesTemplatesAndNamespaces() {
        assertThat(demangler.demangle("_Z3maxIiET_S0_S0_")).isEqualTo("int max<int>(int, int)");
        assertThat(demangler.demangle("_ZN2at6native18elementwise_kernelILi128E3AddEEviT0_"))
                .isEqualTo("void at::native::elementwise_kernel<128, Add>(int, Add)");
    }

    @Test
    void leavesOtherNamesAlone() {
        assertThat(demangler.demangle("malloc")).isEqualTo("malloc");
        assertThat(demangler.demangle("_Znotmangled!")).isEqualTo("_Znotmangled!");
    }

    @Test
    void repeatedNamesComeFromTheCache() {
        assertThat(demangler.demangle("_Z6vecAddPfS_S_i")).isSameAs(demangler.demangle("_Z6vecAddPfS_S_i"));
    }
}
