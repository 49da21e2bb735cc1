package io.aiscope.probe.cuda;

import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BtfStruct;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** Keeps the Java side in step with cuda.h: the decoder's fields and the function ids. Needs no root. */
@Tag("unit")
class CudaLayoutTest {
    private static String header() throws Exception {
        return Files.readString(Path.of("src/main/java/io/aiscope/probe/cuda/cuda.h"));
    }

    @Test
    void decoderFieldsMatchTheCompiledStruct() {
        try (BpfObject object = BpfObject.open(CudaFamily.class, "cuda.bpf.o")) {
            assertThatCode(() -> new CudaFamily.Layout(object)).doesNotThrowAnyException();
        }
    }

    /** cuModuleGetFunction's event: a whole aiscope_cuda_event first, then the name buffer, as long as Java reads it. */
    @Test
    void theNameEventBeginsWithTheCallEventAndEndsWithTheName() throws Exception {
        try (BpfObject object = BpfObject.open(CudaFamily.class, "cuda.bpf.o")) {
            BtfStruct call = object.struct("aiscope_cuda_event");
            BtfStruct named = object.struct("aiscope_cuda_name_event");
            assertThat(named.fields().keySet()).containsExactly("call", "name");
            assertThat(named.fields().get("call")).isEqualTo(new BtfStruct.Field(0, call.size()));
            assertThat(named.fields().get("name")).isEqualTo(new BtfStruct.Field(call.size(), CudaFamily.NAME_LEN));
            assertThat(named.size()).isEqualTo(call.size() + CudaFamily.NAME_LEN);
        }
        Matcher len = Pattern.compile("#define AISCOPE_CUDA_NAME_LEN (\\d+)").matcher(header());
        assertThat(len.find()).isTrue();
        assertThat(Integer.parseInt(len.group(1))).isEqualTo(CudaFamily.NAME_LEN);
    }

    @Test
    void everyFunctionsProgramsAreInTheObject() {
        try (BpfObject object = BpfObject.open(CudaFamily.class, "cuda.bpf.o")) {
            for (ProbedFunction f : ProbedFunction.all()) {
                assertThatCode(() -> object.program(f.shape().entryProgram)).as(f.name()).doesNotThrowAnyException();
                assertThatCode(() -> object.program(f.shape().exitProgram)).as(f.name()).doesNotThrowAnyException();
            }
        }
    }

    @Test
    void driverCopiesCarryTheirDirectionInTheCookie() {
        assertThat(DriverFunction.cuMemcpyDtoHAsync_v2.cookie())
                .isEqualTo(DriverFunction.cuMemcpyDtoHAsync_v2.id() | 2L << 32);  // cudaMemcpyDeviceToHost
        assertThat(DriverFunction.cuMemcpyHtoD_v2.cookie() >>> 32).isEqualTo(1);
        assertThat(DriverFunction.cuMemcpyDtoD_v2.cookie() >>> 32).isEqualTo(3);
        assertThat(CudaFunction.cudaMemcpy.cookie()).isEqualTo(CudaFunction.cudaMemcpy.id());
        assertThat(DriverFunction.cuMemAlloc_v2.id()).isEqualTo(CudaFunction.values().length + 1);
        for (ProbedFunction f : ProbedFunction.all()) {
            assertThat(ProbedFunction.byId(f.id())).isSameAs(f);
        }
        assertThat(ProbedFunction.Api.DRIVER.functions()).hasSize(16).allMatch(f -> f.name().startsWith("cu")
                && !f.name().startsWith("cuda"));
        assertThat(ProbedFunction.Api.RUNTIME.functions()).allMatch(f -> f.name().contains("cuda"));
    }

    /**
     * Runtime functions are CUDA_ and the name without "cuda" (CUDA_MALLOC_HOST, CUDA_GET_KERNEL); driver functions
     * their exported name in capitals (CU_MEM_ALLOC_V2, CU_MEMCPY_HTOD_ASYNC_V2).
     */
    @Test
    void functionIdsFollowTheEnumInTheHeader() throws Exception {
        Matcher m = Pattern.compile("\\n\\s*(CU(?:DA)?_[A-Z0-9_]+)\\s*(=\\s*1)?,").matcher(header());
        int id = 0;
        StringBuilder order = new StringBuilder();
        while (m.find()) {
            if (!m.group(1).equals("CUDA_FN_COUNT")) {
                order.append(m.group(1)).append(' ');
                id++;
            }
        }
        assertThat(id).as("enum cuda_fn: " + order).isEqualTo(ProbedFunction.all().size());
        String expected = ProbedFunction.all().stream()
                .map(f -> (f.name().contains("cuda") ? "CUDA_" : "") + f.name().replaceFirst("^__cuda", "")
                        .replaceFirst("^cuda", "").replaceAll("([A-Z])([A-Z][a-z])", "$1_$2")
                        .replaceAll("([a-z])([A-Z])(?=[a-z])", "$1_$2").toUpperCase())
                .reduce("", (a, b) -> a + b + " ");
        assertThat(order.toString()).isEqualTo(expected);
    }
}
