#!/usr/bin/env python3
"""A test fixture for aiscope: an "agent" whose actions follow from an LLM's answers (standard library only).

    agent.py --url https://127.0.0.1:PORT --cacert endpoint.crt --outdir DIR --connect HOST:PORT
             [--rounds N] [--max-tokens T] [--pause-ms MS]

Each round K (0..N-1) asks /v1/chat/completions (over one keep-alive connection; rounds alternate non-streamed
and streamed, round 0 non-streamed) with the prompt `agent round K: what next` and seed K * 2654435761, takes the answer's first word
WORD, then, in this order: runs `sh -c 'echo "$1" | wc -c' sh WORD` (sh forks two children: the echo side
and wc), writes wc's output to DIR/roundK-WORD.txt, and opens (then closes) a TCP connection to HOST:PORT.
Then it sleeps MS (50) ms before the next round's call, so that every action lies between its round's call and
the next call with a clear gap. One NDJSON line per round: the call as llm_client.py records it, and each
action with its monotonic times (time.monotonic_ns, CLOCK_MONOTONIC).
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time

# No .pyc written next to the script: the only files the agent writes are its rounds' own.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llm_client  # noqa: E402  (installed next to this script)

# java.util.Random, the server's sampler, starts almost alike for nearby seeds; spread seeds give each round
# its own answer.
SEED_STRIDE = 2654435761
CALL_FIELDS = ("path", "stream", "status", "model", "output_tokens", "content_events", "start_ns", "end_ns",
               "latency_ns", "ttft_ns", "local_port", "new_connection", "error")


def first_word(answer):
    words = re.findall(r"[a-z0-9]+", (answer or "").lower())
    return words[0] if words else "none"


def run_child(word):
    command = ["sh", "-c", 'echo "$1" | wc -c', "sh", word]
    child = subprocess.Popen(command, stdout=subprocess.PIPE)
    output, _ = child.communicate()
    return {"pid": child.pid, "argv": command, "exit_code": child.returncode, "output": output.decode().strip()}


def connect(host, port):
    """Opens and closes one TCP connection; says how it went."""
    result = {"target": "%s:%d" % (host, port), "local_port": None}
    try:
        with socket.create_connection((host, port), timeout=2) as s:
            result.update(result="connected", local_port=s.getsockname()[1])
    except ConnectionRefusedError:
        result["result"] = "refused"
    except OSError as e:
        result["result"] = type(e).__name__
    return result


def play_round(client, number, args):
    call = llm_client.Call("chat %s %d keep - agent round %d: what next"
                           % ("stream" if number % 2 else "whole", args.max_tokens, number))
    call.seed = number * SEED_STRIDE
    record = client.call(call)
    word = first_word(record["answer"])
    actions = {"start_ns": time.monotonic_ns()}
    child = run_child(word)
    path = os.path.join(args.outdir, "round%d-%s.txt" % (number, word))
    with open(path, "w") as f:
        f.write(child["output"] + "\n")
    connection = connect(args.host, args.port)
    actions.update(end_ns=time.monotonic_ns(), child=child, file=path, connect=connection)
    return {"round": number, "pid": os.getpid(), "prompt": call.prompt,
            "call": {k: record[k] for k in CALL_FIELDS}, "word": word, "actions": actions}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--cacert", required=True)
    parser.add_argument("--outdir", required=True)
    parser.add_argument("--connect", required=True, metavar="HOST:PORT")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=6)
    parser.add_argument("--pause-ms", type=int, default=50)
    args = parser.parse_args()
    args.host, _, port = args.connect.rpartition(":")
    args.port = int(port)
    os.makedirs(args.outdir, exist_ok=True)
    client = llm_client.Client(args.url, args.cacert)
    for number in range(args.rounds):
        print(json.dumps(play_round(client, number, args)), flush=True)
        time.sleep(args.pause_ms / 1000)


if __name__ == "__main__":
    main()
