#!/usr/bin/env python3
"""Load benchmark of `fermap serve` (not a test): concurrent POST /api/analyze of one photo from this
second process, on loopback only. Reports requests/s, latency percentiles, errors, and the server's
resident memory (VmRSS) after a warm-up and after each round, so that growth would show.

    /usr/bin/python3 benchmarks/web_load.py --fermap build/tools/fermap            # starts its own server
    /usr/bin/python3 benchmarks/web_load.py --port 8080 --pid $(pidof fermap)      # an already running one

Bounded: --requests per round (default 200), --rounds (default 3), --max-seconds per round (default 120).
Standard library only.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)


def rss_mib(pid):
    """The process's resident memory in MiB, or None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def start_server(binary, scratch):
    """Runs `fermap serve --port 0` and returns (process, port) once it prints its URL."""
    process = subprocess.Popen([binary, "serve", "--port", "0", "--db", os.path.join(scratch, "history.sqlite")],
                               cwd=SOURCE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 30
    seen = ""
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen += line
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if match:
            threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()  # keep the pipe drained
            return process, int(match.group(1))
    process.kill()
    sys.exit(f"server did not start: {seen}")


class Client:
    """One keep-alive connection per worker thread."""

    local = threading.local()

    def __init__(self, port, body, content_type):
        self.port, self.body, self.content_type = port, body, content_type

    def analyze(self):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        start = time.perf_counter()
        try:
            connection.request("POST", "/api/analyze", body=self.body, headers={"Content-Type": self.content_type})
            response = connection.getresponse()
            payload = response.read()
            ok = response.status == 200 and "faces" in json.loads(payload)
        except (OSError, http.client.HTTPException, ValueError):
            self.local.connection = None
            ok = False
        return time.perf_counter() - start, ok


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(q / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def run_round(client, requests, concurrency, max_seconds):
    latencies, errors = [], 0
    deadline = time.time() + max_seconds
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        pending = set()
        sent = 0
        while sent < requests or pending:
            while sent < requests and len(pending) < concurrency and time.time() < deadline:
                pending.add(pool.submit(client.analyze))
                sent += 1
            if not pending:
                break
            done, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                latency, ok = future.result()
                latencies.append(latency)
                errors += 0 if ok else 1
            if time.time() >= deadline:
                requests = sent  # stop sending; finish what is in flight
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {"requests": len(latencies), "errors": errors, "seconds": elapsed,
            "rps": len(latencies) / elapsed if elapsed > 0 else 0.0,
            "p50_ms": 1000 * percentile(latencies, 50), "p99_ms": 1000 * percentile(latencies, 99),
            "max_ms": 1000 * (latencies[-1] if latencies else float("nan"))}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fermap", help="the fermap binary: start a server on a free loopback port")
    parser.add_argument("--port", type=int, help="or: the port of a server already running on 127.0.0.1")
    parser.add_argument("--pid", type=int, help="that server's process id (for its memory)")
    parser.add_argument("--image", default=os.path.join(SOURCE, "data/demo/faces.png"))
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200, help="per round (at most 5000)")
    parser.add_argument("--rounds", type=int, default=3, help="at most 10")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=120, help="per round")
    args = parser.parse_args()
    if bool(args.fermap) == bool(args.port):
        parser.error("give --fermap BINARY or --port PORT")
    args.requests = max(1, min(args.requests, 5000))
    args.rounds = max(1, min(args.rounds, 10))

    with open(args.image, "rb") as f:
        body = f.read()
    content_type = "image/png" if args.image.lower().endswith(".png") else "image/jpeg"
    scratch = tempfile.TemporaryDirectory(prefix="fermap-load-")
    process = None
    if args.fermap:
        process, port = start_server(os.path.abspath(args.fermap), scratch.name)
        pid = process.pid
    else:
        port, pid = args.port, args.pid
    try:
        client = Client(port, body, content_type)
        run_round(client, args.warmup, args.concurrency, args.max_seconds)
        print(f"image {os.path.relpath(args.image)} ({len(body)} bytes), concurrency {args.concurrency}, "
              f"{args.requests} requests per round; server pid {pid}")
        print(f"RSS after warm-up: {rss_mib(pid) if pid else float('nan'):.1f} MiB")
        total_errors = 0
        for r in range(1, args.rounds + 1):
            s = run_round(client, args.requests, args.concurrency, args.max_seconds)
            total_errors += s["errors"]
            rss = rss_mib(pid) if pid else None
            print(f"round {r}: {s['requests']} requests in {s['seconds']:.1f} s = {s['rps']:.1f} req/s, "
                  f"p50 {s['p50_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms, max {s['max_ms']:.0f} ms, "
                  f"errors {s['errors']}, RSS {rss if rss is not None else float('nan'):.1f} MiB")
        return 1 if total_errors else 0
    finally:
        if process:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        scratch.cleanup()


if __name__ == "__main__":
    sys.exit(main())
