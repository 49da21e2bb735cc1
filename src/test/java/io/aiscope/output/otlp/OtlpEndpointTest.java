package io.aiscope.output.otlp;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("unit")
class OtlpEndpointTest {
    @ParameterizedTest
    @CsvSource({
            "http://127.0.0.1:4318, http://127.0.0.1:4318/v1/traces",
            "http://127.0.0.1:4318/, http://127.0.0.1:4318/v1/traces",
            "' https://collector.example:443 ', https://collector.example:443/v1/traces",
            "http://[::1]:4318, http://[::1]:4318/v1/traces",
            "http://localhost, http://localhost/v1/traces",
            "http://gateway:8080/otlp/v1/traces, http://gateway:8080/otlp/v1/traces",
            "HTTP://host:4318/custom, HTTP://host:4318/custom",
    })
    void baseUrlsGetTheTracesPathAndFullOnesAreKept(String given, String used) {
        assertThat(OtlpEndpoint.parse(given).uri().toString()).isEqualTo(used);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:4318 | the scheme must be http:// or https://",
            "localhost:4318 | the scheme must be http:// or https://",
            "grpc://127.0.0.1:4317 | the scheme must be http:// or https://",
            "http:///v1/traces | no host",
            "http://127.0.0.1:99999 | port 99999 is out of range",
            "http://host:4318/v1/traces?x=1 | a query or fragment has no meaning here",
            "http://host name | not a URL",
    })
    void badUrlsSayWhatIsWrong(String given, String reason) {
        assertThatThrownBy(() -> OtlpEndpoint.parse(given))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }
}
