#!/usr/bin/env python3
"""bench/tls-loop.py URL CAFILE SECONDS GO_FIFO: waits for a line on GO_FIFO, connects, then sends small GET requests
over that one TLS keep-alive connection (http.client, OpenSSL's SSL_write_ex/SSL_read_ex) for SECONDS; prints one
JSON line: requests made, the process's own CPU time over the loop (user + system), wall time. The connection and
its handshake are made after the go and before the measured loop, so a client can wait long before its run."""
import http.client
import json
import resource
import ssl
import sys
import time
import urllib.parse

url, cafile, seconds, fifo = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
u = urllib.parse.urlsplit(url)
context = ssl.create_default_context(cafile=cafile)
with open(fifo) as go:
    go.readline()
conn = http.client.HTTPSConnection(u.hostname, u.port, context=context)
conn.request("GET", "/health")
conn.getresponse().read()  # connection and handshake outside the measured loop
usage0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.monotonic()
n = 0
while time.monotonic() - t0 < seconds:
    conn.request("GET", "/health")
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        sys.exit("tls-loop: status %d" % response.status)
    n += 1
wall = time.monotonic() - t0
usage1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage1.ru_utime - usage0.ru_utime + usage1.ru_stime - usage0.ru_stime
print(json.dumps({"requests": n, "cpu_s": cpu, "wall_s": wall}))
