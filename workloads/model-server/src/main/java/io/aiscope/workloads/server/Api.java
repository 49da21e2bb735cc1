package io.aiscope.workloads.server;

/**
 * The text-generation endpoints. Their request and response shapes differ (OpenAI's completions, chat completions
 * and responses, Anthropic's messages); generation does not.
 */
enum Api {
    COMPLETIONS, CHAT, MESSAGES, RESPONSES
}
