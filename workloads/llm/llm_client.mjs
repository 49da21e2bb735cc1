#!/usr/bin/env node
// A test fixture for aiscope: a real Node.js client of the LLM endpoint (Node 20, no packages).
//
//   NODE_EXTRA_CA_CERTS=endpoint.crt node llm_client.mjs --url https://127.0.0.1:PORT --cacert endpoint.crt [--calls FILE]
//
// Makes the calls of a scenario (FILE, default stdin; the line format is in workloads/README.md) in order and
// prints one NDJSON line per call with what this client measured. Calls marked `keep` use the global fetch,
// whose pool keeps one connection alive between them; calls marked `new` use node:https with a connection of
// their own (agent: false). Node trusts the endpoint's certificate only through NODE_EXTRA_CA_CERTS, which it
// reads at start-up, so --cacert must name the same file. Times are process.hrtime.bigint(), i.e.
// CLOCK_MONOTONIC. An https call starts when its connection is ready, just before its first byte is written;
// fetch gives no such moment, so a fetch call starts when fetch() is called, and the call that opens the pool's
// connection (new_connection: true) includes the TCP and TLS handshakes.
import { readFileSync, realpathSync } from 'node:fs';
import https from 'node:https';

const MODEL = 'tiny-lm';
const PATHS = {
  chat: '/v1/chat/completions', completions: '/v1/completions', embeddings: '/v1/embeddings',
  messages: '/v1/messages', responses: '/v1/responses',
};
const MODES = ['whole', 'stream', 'stream-usage'];
const now = () => process.hrtime.bigint();

function parseCall(line) {
  const m = /^\s*(\S+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(.*\S)\s*$/.exec(line);
  if (!m || !PATHS[m[1]] || !MODES.includes(m[2]) || !['keep', 'new'].includes(m[4])) throw new Error(`bad call line: ${line}`);
  const [, kind, mode, maxTokens, conn, query, prompt] = m;
  return { kind, mode, maxTokens: Number(maxTokens), conn, query, prompt: expandPrompt(prompt), stream: mode !== 'whole' };
}

// `@bytes=N WORDS...`: WORDS repeated, cut to exactly N bytes (a huge prompt without a huge scenario line).
function expandPrompt(prompt) {
  const m = /^@bytes=(\d+) (.*)$/.exec(prompt);
  if (!m) return prompt;
  const unit = `${m[2].trim()} `;
  return unit.repeat(Math.floor(Number(m[1]) / unit.length) + 1).slice(0, Number(m[1]));
}

function target(call) {
  return PATHS[call.kind] + (call.query === '-' ? '' : `?${call.query}`);
}

function body(call) {
  const p = call.prompt, n = call.maxTokens;
  const b = {
    chat: { model: MODEL, messages: [{ role: 'user', content: p }], max_tokens: n },
    completions: { model: MODEL, prompt: p, max_tokens: n },
    embeddings: { model: MODEL, input: p },
    messages: { model: MODEL, max_tokens: n, messages: [{ role: 'user', content: p }] },
    responses: { model: MODEL, input: p, max_output_tokens: n },
  }[call.kind];
  if (call.kind !== 'embeddings') b.stream = call.stream;
  if (call.mode === 'stream-usage' && ['chat', 'completions'].includes(call.kind)) b.stream_options = { include_usage: true };
  return Buffer.from(JSON.stringify(b));
}

function headers(call) {
  const h = { 'content-type': 'application/json', accept: call.stream ? 'text/event-stream' : 'application/json' };
  if (call.kind === 'messages') Object.assign(h, { 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' });
  else h.authorization = 'Bearer test-key';
  return h;
}

// Server-sent events as they arrive: counts content events, keeps model and usage, in any dialect.
class Stream {
  constructor(kind) {
    Object.assign(this, { kind, buffer: '', events: 0, contentEvents: 0, model: null, inputTokens: null, outputTokens: null });
    this.decoder = new TextDecoder();
  }

  // Returns how many content events the bytes completed.
  feed(bytes) {
    this.buffer += this.decoder.decode(bytes, { stream: true }).replaceAll('\r\n', '\n');
    const before = this.contentEvents;
    let end;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let name = null, data = null;
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data = line.slice(5).trim();
      }
      if (data !== null) {
        this.events++;
        if (data !== '[DONE]') this.event(name, JSON.parse(data));
      }
    }
    return this.contentEvents - before;
  }

  event(name, data) {
    if (this.kind === 'chat' || this.kind === 'completions') {
      this.model ??= data.model;
      if (data.choices?.length) this.contentEvents++;
      if (data.usage) this.usage(data.usage);
    } else if (this.kind === 'messages') {
      if (name === 'message_start') {
        this.model = data.message.model;
        this.inputTokens = data.message.usage.input_tokens;
      } else if (name === 'content_block_delta') this.contentEvents++;
      else if (name === 'message_delta') this.outputTokens = data.usage.output_tokens;
    } else if (this.kind === 'responses') {
      if (name === 'response.created') this.model = data.response.model;
      else if (name === 'response.output_text.delta') this.contentEvents++;
      else if (name === 'response.completed') this.usage(data.response.usage);
    }
  }

  usage(u) {
    this.inputTokens = u.prompt_tokens ?? u.input_tokens;
    this.outputTokens = u.completion_tokens ?? u.output_tokens;
  }
}

// The API's own name for an error: OpenAI's error.code (else error.type), Anthropic's error.type.
function errorType(status, text) {
  try {
    const e = JSON.parse(text).error ?? {};
    return e.code ?? e.type ?? `http_${status}`;
  } catch {
    return `http_${status}`;
  }
}

function transportError(e) {
  const code = e.code ?? e.cause?.code;
  if (code === 'ECONNRESET') return 'connection_reset';
  if (['UND_ERR_SOCKET', 'ECONNABORTED', 'UND_ERR_CLOSED'].includes(code) || e.message === 'aborted') return 'connection_closed';
  return code ?? e.name;
}

// What a call's response was made of, whichever way it was read.
class Reading {
  constructor(call, record) {
    Object.assign(this, { call, record, stream: new Stream(call.kind), chunks: [] });
  }

  data(bytes) {
    const r = this.record;
    r.end_ns = now();
    r.response_bytes += bytes.length;
    this.chunks.push(Buffer.from(bytes));
    if (this.call.stream && r.status === 200 && this.stream.feed(bytes) && r.ttft_ns === null) r.ttft_ns = r.end_ns - r.start_ns;
  }

  finish() {
    const r = this.record, text = Buffer.concat(this.chunks).toString();
    if (r.status >= 400) r.error = errorType(r.status, text);
    else if (!this.call.stream) {
      const data = JSON.parse(text), u = data.usage ?? {};
      Object.assign(r, { model: data.model ?? null, usage_reported: data.usage != null,
        input_tokens: u.prompt_tokens ?? u.input_tokens ?? null, output_tokens: u.completion_tokens ?? u.output_tokens ?? null });
    }
  }

  streamed() {
    const r = this.record, s = this.stream;
    if (!this.call.stream || r.status !== 200) return;
    Object.assign(r, { model: s.model, sse_events: s.events, content_events: s.contentEvents, input_tokens: s.inputTokens,
      usage_reported: s.outputTokens !== null, output_tokens: s.outputTokens ?? s.contentEvents });
  }
}

let fetchConnected = false;

async function viaFetch(base, call, reading) {
  const r = reading.record;
  r.new_connection = !fetchConnected;
  r.start_ns = now();
  const res = await fetch(base + target(call), { method: 'POST', headers: headers(call), body: body(call) });
  fetchConnected = true;
  Object.assign(r, { status: res.status, retry_after: res.headers.get('retry-after') });
  for await (const chunk of res.body) reading.data(chunk);
  r.end_ns = now(); // the body's end (a chunked body's terminating chunk) can come after its last data
}

function viaHttps(base, call, reading) {
  const r = reading.record, url = new URL(base + target(call));
  r.new_connection = true;
  return new Promise((resolve, reject) => {
    const req = https.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST',
      headers: headers(call), agent: false });
    req.on('socket', (socket) => socket.once('secureConnect', () => {
      Object.assign(r, { local_port: socket.localPort, start_ns: now() });
      req.end(body(call));
    }));
    req.on('error', reject);
    req.on('response', (res) => {
      Object.assign(r, { status: res.statusCode, retry_after: res.headers['retry-after'] ?? null });
      res.on('data', (chunk) => reading.data(chunk));
      res.on('end', () => {
        r.end_ns = now(); // as for fetch: the terminating chunk can come after the last data
        resolve();
      });
      res.on('error', reject);
      res.on('aborted', () => reject(Object.assign(new Error('aborted'), { code: res.socket?.errored?.code })));
    });
  });
}

async function makeCall(base, call) {
  const record = {
    client: call.conn === 'keep' ? 'node-fetch' : 'node-https', pid: process.pid, kind: call.kind, method: 'POST',
    path: PATHS[call.kind], query: call.query === '-' ? null : call.query, stream: call.stream,
    request_bytes: body(call).length, status: null, model: null, input_tokens: null, output_tokens: null,
    usage_reported: false, content_events: 0, sse_events: 0, response_bytes: 0, start_ns: null, end_ns: null,
    latency_ns: null, ttft_ns: null, local_port: null, new_connection: null, error: null, retry_after: null,
  };
  const reading = new Reading(call, record);
  try {
    await (call.conn === 'keep' ? viaFetch(base, call, reading) : viaHttps(base, call, reading));
    reading.finish();
  } catch (e) {
    record.error = transportError(e);
    record.end_ns = now();
    if (call.conn === 'keep') fetchConnected = false;
  }
  reading.streamed();
  if (record.start_ns !== null) record.latency_ns = record.end_ns - record.start_ns;
  return record;
}

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    if (!['--url', '--cacert', '--calls'].includes(argv[i]) || argv[i + 1] === undefined) {
      console.error('usage: NODE_EXTRA_CA_CERTS=CA node llm_client.mjs --url URL --cacert CA [--calls FILE]');
      process.exit(2);
    }
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

const { url, cacert, calls } = args();
if (!url || !cacert) {
  console.error('llm_client.mjs: --url and --cacert are required');
  process.exit(2);
}
const extra = process.env.NODE_EXTRA_CA_CERTS;
if (!extra || realpathSync(extra) !== realpathSync(cacert)) {
  console.error(`llm_client.mjs: start node with NODE_EXTRA_CA_CERTS=${cacert}; it is read only at start-up`);
  process.exit(2);
}
const lines = readFileSync(calls ?? 0, 'utf8').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
const base = url.replace(/\/$/, '');
for (const [number, call] of lines.map(parseCall).entries()) {
  const record = await makeCall(base, call);
  // Nanosecond times are BigInts, which JSON.stringify refuses and a double would round: written as digits.
  const json = JSON.stringify({ call: number, ...record }, (k, v) => (typeof v === 'bigint' ? `bigint:${v}` : v));
  console.log(json.replace(/"bigint:(-?\d+)"/g, '$1'));
}
