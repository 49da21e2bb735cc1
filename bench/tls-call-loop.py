#!/usr/bin/env python3
"""bench/tls-call-loop.py CERT KEY N GO_FIFO: after a line on GO_FIFO, N round trips of a 64-byte message between two
in-memory TLS endpoints of this process (ssl.SSLObject over MemoryBIO: OpenSSL's SSL_write_ex and SSL_read_ex, no
sockets, no network); prints one JSON line: the process's CPU time per round trip (user + system), in µs. Each round
trip is two SSL_write_ex and two SSL_read_ex calls."""
import json
import resource
import ssl
import sys

cert, key, n, fifo = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
server_ctx.load_cert_chain(cert, key)
client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
client_ctx.load_verify_locations(cert)
c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
client = client_ctx.wrap_bio(c_in, c_out, server_hostname="localhost")
server = server_ctx.wrap_bio(s_in, s_out, server_side=True)


def pump():
    s_in.write(c_out.read())
    c_in.write(s_out.read())


for _ in range(10):  # the handshake, both sides
    for side in (client, server):
        try:
            side.do_handshake()
        except ssl.SSLWantReadError:
            pass
    pump()
message = b"x" * 64
with open(fifo) as go:
    go.readline()
before = resource.getrusage(resource.RUSAGE_SELF)
for _ in range(n):
    client.write(message)
    pump()
    server.read(1024)
    server.write(message)
    pump()
    client.read(1024)
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
print(json.dumps({"round_trips": n, "cpu_us_per_round_trip": cpu / n * 1e6}))
