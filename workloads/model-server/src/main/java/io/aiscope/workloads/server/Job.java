package io.aiscope.workloads.server;

/** Work for the inference thread, done one forward pass at a time so that concurrent requests interleave. */
interface Job {
    /** Runs one forward pass; true when the job is finished (done, or its client is gone). */
    boolean step() throws Exception;

    /** The job failed; it gets no more steps. */
    void failed(Exception e);
}
