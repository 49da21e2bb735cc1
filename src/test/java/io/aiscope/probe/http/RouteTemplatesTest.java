package io.aiscope.probe.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RouteTemplatesTest {
    private final RouteTemplates routes = new RouteTemplates(200);

    @Test
    void variableSegmentsAreReplaced() {
        assertThat(routes.route("/users/12345/orders/7")).isEqualTo("/users/{id}/orders/{id}");
        assertThat(routes.route("/files/3f2504e0-4f89-11d3-9a0c-0305e82c3301"))
                .isEqualTo("/files/{uuid}");
        assertThat(routes.route("/files/3F2504E0-4F89-11D3-9A0C-0305E82C3301/raw")).isEqualTo("/files/{uuid}/raw");
        assertThat(routes.route("/commits/9fceb02d0ae598e95dc970b74767f19372d61af8")).isEqualTo("/commits/{hex}");
        assertThat(routes.route("/v1/responses/resp_67ccd2bed1ec8190b14f964abc054267"))
                .isEqualTo("/v1/responses/{id}");
        assertThat(routes.route("/v1/chat/completions/chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG"))
                .isEqualTo("/v1/chat/completions/{id}");
        assertThat(routes.route("/share/aGVsbG8gd29ybGQ9PT0xMjM=")).isEqualTo("/share/{id}");
    }

    @Test
    void wordsAndShortTokensStay() {
        assertThat(routes.route("/v1/chat/completions")).isEqualTo("/v1/chat/completions");
        assertThat(routes.route("/v1/completions")).isEqualTo("/v1/completions");
        assertThat(routes.route("/v1/embeddings")).isEqualTo("/v1/embeddings");
        assertThat(routes.route("/api/v2/internationalization")).isEqualTo("/api/v2/internationalization");
        assertThat(routes.route("/models/gpt-4o/info")).isEqualTo("/models/gpt-4o/info");
        assertThat(routes.route("/")).isEqualTo("/");
        assertThat(routes.route("/a//b/")).isEqualTo("/a//b/");
        assertThat(routes.route("*")).isEqualTo("*");
        assertThat(routes.route("/facade/deadbeef")).isEqualTo("/facade/deadbeef");
    }

    @Test
    void sameRouteIsTheSameString() {
        assertThat(routes.route("/users/1")).isSameAs(routes.route("/users/2"));
        assertThat(routes.route("/plain")).isSameAs(routes.route(new String("/plain")));
    }

    @Test
    void routesBeyondTheLimitAreOther() {
        RouteTemplates few = new RouteTemplates(3);
        assertThat(few.route("/a")).isEqualTo("/a");
        assertThat(few.route("/b")).isEqualTo("/b");
        assertThat(few.route("/c/1")).isEqualTo("/c/{id}");
        assertThat(few.route("/d")).isEqualTo(RouteTemplates.OTHER);
        assertThat(few.route("/c/2")).isEqualTo("/c/{id}");
        assertThat(few.route("/a")).isEqualTo("/a");
    }
}
