package io.aiscope.agents;

import io.aiscope.correlate.ProcessAction;

/**
 * An action that followed an LLM call in the caller's process tree.
 *
 * @param action   what the process did
 * @param afterNs  how long after the call's response ended
 * @param depth    forks between the calling process and the acting one (0: the caller itself)
 * @param exitCode for a command run: the exit code of its process, when it has exited
 * @param outcome  for a non-blocking connect: how it ended, when that is known
 */
public record Effect(ProcessAction action, long afterNs, int depth, Integer exitCode,
                     ProcessAction.ConnectResult outcome) {
    /** The kinds an output names: "exec", "file_write", "connect". */
    public String kind() {
        return switch (action) {
            case ProcessAction.Exec e -> "exec";
            case ProcessAction.FileOpen f -> "file_write";
            case ProcessAction.Connect c -> "connect";
            default -> throw new IllegalStateException("not an effect: " + action);
        };
    }
}
