package io.aiscope.workloads.client;

/** A request's record and the response behind it, for the scenario's checks. */
record Result(RequestRecord record, Response response) {
}
