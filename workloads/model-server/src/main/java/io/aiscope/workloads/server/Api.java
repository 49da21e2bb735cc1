package io.aiscope.workloads.server;

/** The two OpenAI text-generation endpoints; they differ in request and response shapes, not in generation. */
enum Api {
    COMPLETIONS("cmpl-", "text_completion", "text_completion"),
    CHAT("chatcmpl-", "chat.completion", "chat.completion.chunk");

    final String idPrefix;
    final String object;
    final String chunkObject;

    Api(String idPrefix, String object, String chunkObject) {
        this.idPrefix = idPrefix;
        this.object = object;
        this.chunkObject = chunkObject;
    }
}
