package io.aiscope.probe.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class LlmEndpointTest {
    @Test
    void endpointsAfterAV1SegmentWhateverThePrefix() {
        assertThat(LlmEndpoint.of("/v1/chat/completions")).isEqualTo(LlmEndpoint.CHAT_COMPLETIONS);
        assertThat(LlmEndpoint.of("/v1/completions")).isEqualTo(LlmEndpoint.COMPLETIONS);
        assertThat(LlmEndpoint.of("/v1/responses")).isEqualTo(LlmEndpoint.RESPONSES);
        assertThat(LlmEndpoint.of("/v1/embeddings")).isEqualTo(LlmEndpoint.EMBEDDINGS);
        assertThat(LlmEndpoint.of("/v1/messages")).isEqualTo(LlmEndpoint.MESSAGES);
        assertThat(LlmEndpoint.of("/openai/v1/chat/completions")).isEqualTo(LlmEndpoint.CHAT_COMPLETIONS);
        assertThat(LlmEndpoint.of("/api/v1/chat/completions")).isEqualTo(LlmEndpoint.CHAT_COMPLETIONS);
        assertThat(LlmEndpoint.of("/anthropic/v1/messages")).isEqualTo(LlmEndpoint.MESSAGES);
    }

    @Test
    void openAiEndpointsOfGeminiAndAzure() {
        assertThat(LlmEndpoint.of("/v1beta/openai/chat/completions")).isEqualTo(LlmEndpoint.CHAT_COMPLETIONS);
        assertThat(LlmEndpoint.of("/openai/deployments/gpt4o-prod/chat/completions"))
                .isEqualTo(LlmEndpoint.CHAT_COMPLETIONS);
        assertThat(LlmEndpoint.of("/openai/deployments/ada/embeddings")).isEqualTo(LlmEndpoint.EMBEDDINGS);
        assertThat(LlmEndpoint.of("/openai/messages")).isNull();
        assertThat(LlmEndpoint.of("/openai/deployments/a/b/chat/completions")).isNull();
        assertThat(LlmEndpoint.of("/openai/deployments//chat/completions")).isNull();
    }

    @Test
    void styleAndOperation() {
        assertThat(LlmEndpoint.CHAT_COMPLETIONS.api).isEqualTo("openai");
        assertThat(LlmEndpoint.CHAT_COMPLETIONS.operation).isEqualTo("chat");
        assertThat(LlmEndpoint.COMPLETIONS.operation).isEqualTo("text_completion");
        assertThat(LlmEndpoint.RESPONSES.operation).isEqualTo("chat");
        assertThat(LlmEndpoint.EMBEDDINGS.operation).isEqualTo("embeddings");
        assertThat(LlmEndpoint.MESSAGES.api).isEqualTo("anthropic");
        assertThat(LlmEndpoint.MESSAGES.operation).isEqualTo("chat");
    }

    @Test
    void otherPathsAreNoEndpoint() {
        for (String path : new String[] {"/", "/v1/models", "/v1/chat/completions/", "/v1/chat/completions/abc",
            "/v2/chat/completions", "/chat/completions", "/v1/messages/count_tokens", "/xv1/messages",
            "/v1/chatcompletions", "/v1/responses/resp_1", "*", "api.openai.com:443"}) {
            assertThat(LlmEndpoint.of(path)).as(path).isNull();
        }
    }
}
