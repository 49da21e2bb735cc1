#!/usr/bin/env python3
"""A test fixture for aiscope: a real Python client of the LLM endpoint (standard library only).

    llm_client.py --url https://127.0.0.1:PORT --cacert endpoint.crt [--calls FILE]

Makes the calls of a scenario (FILE, default stdin; the line format is in workloads/README.md) in order and
prints one NDJSON line per call with what this client measured. Calls marked `keep` go over one persistent
http.client connection, calls marked `new` through urllib.request, which opens a connection per call and closes
it. Times are time.monotonic_ns(), i.e. CLOCK_MONOTONIC: a request starts just before its first byte is written
(after connect and TLS handshake), ends when the read that brought its last byte returns.
"""
import argparse
import http.client
import json
import os
import socket
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

MODEL = "tiny-lm"
PATHS = {"chat": "/v1/chat/completions", "completions": "/v1/completions", "embeddings": "/v1/embeddings",
         "messages": "/v1/messages", "responses": "/v1/responses"}
MODES = ("whole", "stream", "stream-usage")


class Call:
    """One line of a scenario: KIND MODE MAX_TOKENS CONN QUERY PROMPT..."""

    def __init__(self, line):
        fields = line.split(None, 5)
        if len(fields) < 6 or fields[0] not in PATHS or fields[1] not in MODES or fields[3] not in ("keep", "new"):
            raise ValueError("bad call line: " + line)
        self.kind, self.mode, self.conn, self.query = fields[0], fields[1], fields[3], fields[4]
        self.max_tokens = int(fields[2])
        self.prompt = expand_prompt(fields[5].strip())
        self.stream = self.mode != "whole"
        self.seed = None  # the server's default; the agent varies it so that its rounds' answers differ

    def target(self):
        return PATHS[self.kind] + ("" if self.query == "-" else "?" + self.query)

    def body(self):
        p, n = self.prompt, self.max_tokens
        body = {"chat": {"model": MODEL, "messages": [{"role": "user", "content": p}], "max_tokens": n},
                "completions": {"model": MODEL, "prompt": p, "max_tokens": n},
                "embeddings": {"model": MODEL, "input": p},
                "messages": {"model": MODEL, "max_tokens": n, "messages": [{"role": "user", "content": p}]},
                "responses": {"model": MODEL, "input": p, "max_output_tokens": n}}[self.kind]
        if self.kind != "embeddings":
            body["stream"] = self.stream
        if self.seed is not None:
            body["seed"] = self.seed
        if self.mode == "stream-usage" and self.kind in ("chat", "completions"):
            body["stream_options"] = {"include_usage": True}
        return json.dumps(body).encode()

    def headers(self):
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream" if self.stream else "application/json"}
        if self.kind == "messages":
            headers.update({"x-api-key": "test-key", "anthropic-version": "2023-06-01"})
        else:
            headers["Authorization"] = "Bearer test-key"
        return headers


def expand_prompt(prompt):
    """`@bytes=N WORDS...`: WORDS repeated, cut to exactly N bytes (a huge prompt without a huge scenario line)."""
    if not prompt.startswith("@bytes="):
        return prompt
    size, _, words = prompt[len("@bytes="):].partition(" ")
    size, unit = int(size), words.strip() + " "
    return (unit * (size // len(unit) + 1))[:size]


def read_calls(lines):
    return [Call(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]


class TimedHTTPSConnection(http.client.HTTPSConnection):
    """Notes when a request's first byte is written, whether the request had to open the connection, its port."""
    last_opened = None  # urllib.request keeps its connection to itself; this is how the caller finds it

    def begin_request(self):
        self.first_write_ns = None
        self.opened_for_request = False
        self.tcp = self.sock
        self.local_port = self.sock.getsockname()[1] if self.sock else None

    def connect(self):
        super().connect()
        self.opened_for_request = True
        self.tcp = self.sock  # urllib drops .sock once the response has begun; the response still reads it
        self.local_port = self.sock.getsockname()[1]
        # http.client closes the socket on a broken chunk, before the caller could read its TCP state (see
        # transport_error); a second reference defers the close until the call is accounted for.
        self.held = self.sock.makefile("rb", buffering=0)
        TimedHTTPSConnection.last_opened = self

    def release(self):
        if getattr(self, "held", None) is not None:
            self.held.close()
            self.held = None

    def send(self, data):
        if self.sock is None:
            self.connect()
        if self.first_write_ns is None:
            self.first_write_ns = time.monotonic_ns()
        super().send(data)


class TimedHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(self.connection, req, context=self._context)

    def connection(self, host, **kwargs):
        conn = TimedHTTPSConnection(host, **kwargs)
        conn.begin_request()
        return conn


class Stream:
    """Server-sent events as they arrive: counts content events, keeps model and usage, in any dialect."""

    def __init__(self, kind):
        self.kind, self.buffer, self.text = kind, b"", ""
        self.events = self.content_events = 0
        self.model = self.input_tokens = self.output_tokens = None

    def feed(self, data):
        """Returns how many content events the data completed."""
        self.buffer += data.replace(b"\r\n", b"\n")
        before = self.content_events
        while b"\n\n" in self.buffer:
            frame, self.buffer = self.buffer.split(b"\n\n", 1)
            name, payload = None, None
            for line in frame.decode().split("\n"):
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    payload = line[5:].strip()
            if payload is not None:
                self.events += 1
                self.event(name, payload)
        return self.content_events - before

    def event(self, name, payload):
        if payload == "[DONE]":
            return
        data = json.loads(payload)
        if self.kind in ("chat", "completions"):
            self.model = self.model or data.get("model")
            if data.get("choices"):
                self.content_events += 1
                choice = data["choices"][0]
                self.text += choice.get("delta", {}).get("content", "") if self.kind == "chat" else choice["text"]
            if data.get("usage"):
                self.usage(data["usage"])
        elif self.kind == "messages":
            if name == "message_start":
                self.model = data["message"]["model"]
                self.input_tokens = data["message"]["usage"]["input_tokens"]
            elif name == "content_block_delta":
                self.content_events += 1
                self.text += data["delta"]["text"]
            elif name == "message_delta":
                self.output_tokens = data["usage"]["output_tokens"]
        elif self.kind == "responses":
            if name == "response.created":
                self.model = data["response"]["model"]
            elif name == "response.output_text.delta":
                self.content_events += 1
                self.text += data["delta"]
            elif name == "response.completed":
                self.usage(data["response"]["usage"])

    def usage(self, usage):
        self.input_tokens = usage.get("prompt_tokens", usage.get("input_tokens"))
        self.output_tokens = usage.get("completion_tokens", usage.get("output_tokens"))


def error_type(status, body):
    """The API's own name for an error: OpenAI's error.code (else error.type), Anthropic's error.type."""
    try:
        error = json.loads(body).get("error", {})
        return error.get("code") or error.get("type") or "http_%d" % status
    except ValueError:
        return "http_%d" % status


TCP_CLOSE = 7  # tcpi_state of a connection the peer reset; one it closed with a FIN is in CLOSE_WAIT


def transport_error(e, sock):
    """connection_reset or connection_closed when the connection ended early, else the exception's name.

    Python's ssl module reports a TCP reset during a TLS read as an end of file, like a FIN without a TLS
    close_notify, so the socket's TCP state tells them apart."""
    if isinstance(e, ConnectionResetError):
        return "connection_reset"
    if isinstance(e, (http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionAbortedError)):
        try:
            reset = sock is not None and sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] == TCP_CLOSE
        except OSError:
            reset = False
        return "connection_reset" if reset else "connection_closed"
    return type(e).__name__


class Client:
    def __init__(self, url, cacert):
        parsed = urllib.parse.urlsplit(url)
        self.base, self.host = url.rstrip("/"), parsed.netloc
        self.context = ssl.create_default_context(cafile=cacert)
        self.opener = urllib.request.build_opener(TimedHandler(context=self.context))
        self.persistent = None

    def call(self, call):
        """Makes one call; returns its record, with the generated text as `answer` (not printed by main)."""
        record = {"client": "python-http.client" if call.conn == "keep" else "python-urllib", "pid": os.getpid(),
                  "kind": call.kind, "method": "POST", "path": PATHS[call.kind],
                  "query": None if call.query == "-" else call.query, "stream": call.stream,
                  "request_bytes": len(call.body()), "status": None, "model": None, "input_tokens": None,
                  "output_tokens": None, "usage_reported": False, "content_events": 0, "sse_events": 0,
                  "response_bytes": 0, "start_ns": None, "end_ns": None, "latency_ns": None, "ttft_ns": None,
                  "local_port": None, "new_connection": None, "error": None, "retry_after": None, "answer": None}
        stream = Stream(call.kind)
        TimedHTTPSConnection.last_opened = None
        conn = None
        try:
            response = self.keep_alive(call) if call.conn == "keep" else self.urllib(call)
            conn = self.persistent if call.conn == "keep" else TimedHTTPSConnection.last_opened
            record.update(status=response.status, retry_after=response.headers.get("retry-after"))
            body = self.read(call, response, stream, record, conn.first_write_ns)
            if response.status >= 400:
                record["error"] = error_type(response.status, body)
            elif not call.stream:
                whole(call.kind, json.loads(body), record)
        except (OSError, http.client.HTTPException) as e:
            conn = self.persistent if call.conn == "keep" else TimedHTTPSConnection.last_opened
            record.update(error=transport_error(e, conn and conn.tcp), end_ns=time.monotonic_ns())
            if call.conn == "keep":
                self.persistent.close()
                self.persistent = None
        if conn is not None:
            record.update(start_ns=conn.first_write_ns, local_port=conn.local_port,
                          new_connection=conn.opened_for_request)
            conn.release()
        if record["start_ns"] is not None:
            record["latency_ns"] = record["end_ns"] - record["start_ns"]
        if call.stream and record["status"] == 200:
            record.update(model=stream.model, sse_events=stream.events, content_events=stream.content_events,
                          answer=stream.text,
                          usage_reported=stream.output_tokens is not None, input_tokens=stream.input_tokens,
                          output_tokens=stream.content_events if stream.output_tokens is None else stream.output_tokens)
        return record

    def keep_alive(self, call):
        if self.persistent is None:
            self.persistent = TimedHTTPSConnection(self.host, context=self.context)
        conn = self.persistent
        conn.begin_request()
        if conn.sock is None:
            conn.connect()  # before the clock starts: the request starts with its first byte
        conn.request("POST", call.target(), body=call.body(), headers=call.headers())
        return conn.getresponse()

    def urllib(self, call):
        request = urllib.request.Request(self.base + call.target(), data=call.body(), headers=call.headers())
        try:
            return self.opener.open(request)
        except urllib.error.HTTPError as e:
            return e  # a 4xx or 5xx still has a status, headers and a body to read

    @staticmethod
    def read(call, response, stream, record, start_ns):
        """The body; a stream's events go to `stream` as they arrive. Notes the end (and first token) times."""
        if not (call.stream and response.status == 200):
            body = response.read()
            record.update(end_ns=time.monotonic_ns(), response_bytes=len(body))
            return body
        while chunk := response.read1(65536):
            record["end_ns"] = time.monotonic_ns()
            record["response_bytes"] += len(chunk)
            if stream.feed(chunk) and record["ttft_ns"] is None:
                record["ttft_ns"] = record["end_ns"] - start_ns
        # The empty read1 is the one that read the terminating chunk, the response's last byte (the server may send
        # it a while after the last event).
        record["end_ns"] = time.monotonic_ns()
        return None


def whole(kind, data, record):
    """Model, usage and text of a non-streamed response."""
    usage = data.get("usage") or {}
    record["answer"] = {"chat": lambda: data["choices"][0]["message"]["content"],
                        "completions": lambda: data["choices"][0]["text"],
                        "embeddings": lambda: None,
                        "messages": lambda: data["content"][0]["text"],
                        "responses": lambda: data["output"][0]["content"][0]["text"]}[kind]()
    record.update(model=data.get("model"), usage_reported=bool(usage),
                  input_tokens=usage.get("prompt_tokens", usage.get("input_tokens")),
                  output_tokens=usage.get("completion_tokens", usage.get("output_tokens")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--cacert", required=True)
    parser.add_argument("--calls", help="scenario file (default: stdin)")
    args = parser.parse_args()
    with (open(args.calls) if args.calls else sys.stdin) as f:
        calls = read_calls(f)
    client = Client(args.url, args.cacert)
    for number, call in enumerate(calls):
        record = {"call": number}
        record.update(client.call(call))
        del record["answer"]
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
