"""Benchmark: the web interface through a real `ika serve` (waitress) on 127.0.0.1.

With 10,000 cases and 20,000 documents:
- p95 latency of the dashboard, the case list, a case page (target <= 150 ms each) and a
  search page (<= 300 ms), one request at a time;
- 20 simulated users on loopback for --load-seconds (issue: 2 minutes) with no error;
- the memory (RSS) of the `ika serve` process over a soak of --soak-seconds (issue: 10
  minutes), sampled every --sample-every seconds (10) while 4 users keep it busy: RSS at the
  start, the end, the maximum, and the slope (MB per minute, least squares, over the whole
  soak and over its second half, once the caches have filled).

Run: python tests/benchmarks/bench_web.py [--cases 10000] [--docs 20000]
         [--load-seconds 120] [--soak-seconds 600] [--archive DIR]
     python tests/benchmarks/bench_web.py --soak 600 [--archive DIR]   (the soak only)
     python tests/benchmarks/bench_web.py --soak-seconds 0              (no soak)
Only loopback addresses are used; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TODAY = "2026-11-27"
QUERIES = ["kerjasama", "pemerdagangan orang", "memorandum persefahaman", "extradition",
           "border security", "Indonesia", "latihan bersama", "perjanjian"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(root: Path, n_cases: int, n_docs: int) -> tuple[str, list[str]]:
    """The archive (register filled through the library, index rebuilt); an API token for
    an admin, and some case ids."""
    from bench_cli import fill
    from bench_index import fill_register

    from pipeline.archive import open_archive
    from pipeline.register import accounts
    from pipeline.search import rebuild

    t = time.perf_counter()
    fill_register(root, n_docs)  # runs `ika init` too
    fill(root, n_cases)
    arc = open_archive(root)
    accounts.add_user(arc, "bench", "admin", password="bench-password-1")
    token = accounts.new_token(arc, "bench", note="bench_web")
    n = rebuild(arc)
    from pipeline.register.cases import list_cases

    ids = [c.id for c in random.Random(3).sample(list_cases(arc), 50)]
    arc.register.dispose()
    print(f"archive: {n_cases} cases, {n} documents indexed in {time.perf_counter() - t:.0f} s")
    return token, ids


class Client:
    """One keep-alive HTTP connection to the server, as one user's browser tab."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "text/html"}

    def get(self, path: str) -> tuple[int, float, int]:
        t = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        r = self.conn.getresponse()
        body = r.read()
        return r.status, time.perf_counter() - t, len(body)


def pages(ids: list[str], rng: random.Random) -> dict[str, str]:
    q = rng.choice(QUERIES).replace(" ", "+")
    return {
        "dashboard": "/",
        "case list": f"/cases?page={rng.randint(1, 100)}",
        "case page": f"/cases/{rng.choice(ids)}",
        "search page": f"/search?q={q}" + (f"&country={rng.choice(['ID', 'TH', 'SG'])}"
                                          if rng.random() < 0.3 else ""),
    }


def latency(port: int, token: str, ids: list[str], n: int) -> dict[str, list[float]]:
    c = Client(port, token)
    rng = random.Random(5)
    for _ in range(3):  # warm up: snapshots, index searcher, templates
        for path in pages(ids, rng).values():
            c.get(path)
    times: dict[str, list[float]] = {k: [] for k in pages(ids, rng)}
    for _ in range(n):
        for name, path in pages(ids, rng).items():
            status, dt, _ = c.get(path)
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}")
            times[name].append(dt)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def load(port: int, token: str, ids: list[str], users: int, seconds: float,
         think: float = 0.0) -> dict[str, float]:
    """`users` threads, each its own connection, browsing until `seconds` have passed."""
    stop = time.monotonic() + seconds
    counts = {"requests": 0, "errors": 0}
    failures: list[str] = []  # what each error was: "HTTP 500 /search?q=..." or the exception
    durations: list[float] = []
    lock = threading.Lock()

    def user(n: int) -> None:
        rng = random.Random(100 + n)
        client = Client(port, token)
        while time.monotonic() < stop:
            path = rng.choice(list(pages(ids, rng).values()))
            why = ""
            try:
                status, dt, _ = client.get(path)
            except (OSError, http.client.HTTPException) as exc:
                status, dt, why = 0, 0.0, f"{type(exc).__name__}: {exc}"
                client = Client(port, token)
            with lock:
                counts["requests"] += 1
                if status != 200:
                    counts["errors"] += 1
                    failures.append(f"{why or f'HTTP {status}'} {path}")
                else:
                    durations.append(dt)
            if think:
                time.sleep(think)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    for line in failures[:5]:
        print(f"  error: {line}")
    return {"requests": counts["requests"], "errors": counts["errors"],
            "per_second": counts["requests"] / seconds,
            "p50": statistics.median(durations) if durations else 0.0,
            "p95": p95(durations) if durations else 0.0}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def slope(samples: list[tuple[float, float]]) -> float:
    """MB per minute: the least-squares line through (seconds, MB)."""
    if len(samples) < 2:
        return 0.0
    xs = [s for s, _ in samples]
    ys = [m for _, m in samples]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var * 60


def soak(port: int, token: str, ids: list[str], pid: int, seconds: float,
         every: float) -> None:
    """4 users browsing (with a short think time) for `seconds`; the server's RSS sampled
    every `every` seconds and printed as it goes, then start/end/max and the slope."""
    samples: list[tuple[float, float]] = []
    result: dict[str, float] = {}
    worker = threading.Thread(
        target=lambda: result.update(load(port, token, ids, 4, seconds, think=0.05)))
    t0 = time.monotonic()
    worker.start()
    while (elapsed := time.monotonic() - t0) < seconds:
        samples.append((elapsed, rss_mb(pid)))
        print(f"  soak {elapsed:5.0f} s  RSS {samples[-1][1]:6.1f} MB", flush=True)
        time.sleep(max(0.1, min(every, seconds - elapsed)))
    worker.join(timeout=seconds + 60)
    samples.append((time.monotonic() - t0, rss_mb(pid)))
    mbs = [m for _, m in samples]
    half = [(s, m) for s, m in samples if s >= seconds / 2]
    print(f"soak {seconds:.0f} s, 4 users: {result.get('requests', 0):.0f} requests, "
          f"{result.get('errors', 0):.0f} errors, p95 {result.get('p95', 0) * 1000:.0f} ms; "
          f"RSS start {mbs[0]:.1f} MB, end {mbs[-1]:.1f} MB, max {max(mbs):.1f} MB "
          f"({len(samples)} samples every {every:.0f} s); slope {slope(samples):+.2f} MB/min "
          f"overall, {slope(half):+.2f} MB/min over the second half")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--requests", type=int, default=100, help="per page, for the latencies")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--load-seconds", type=float, default=120)
    ap.add_argument("--soak-seconds", type=float, default=600, help="0: no soak")
    ap.add_argument("--soak", type=float, metavar="SECONDS",
                    help="Soak mode: only the memory soak, for SECONDS (no latencies, no load).")
    ap.add_argument("--sample-every", type=float, default=10.0, help="RSS sample, seconds")
    ap.add_argument("--threads", type=int, default=8, help="waitress threads")
    ap.add_argument("--archive", type=Path,
                    help="Build the archive here and keep it; reuse it if it is there.")
    args = ap.parse_args()
    os.environ["IKA_TODAY"] = TODAY
    with tempfile.TemporaryDirectory() as tmp:
        root = args.archive or Path(tmp) / "archive"
        saved = root / ".bench-web.json"
        if saved.exists():
            token, ids = json.loads(saved.read_text())
            print(f"archive: reusing {root}")
        else:
            token, ids = build(root, args.cases, args.docs)
            if args.archive:
                saved.write_text(json.dumps([token, ids]))
        port = free_port()
        env = dict(os.environ, IKA_TODAY=TODAY)
        # The server's output goes to a file, not a pipe read only at the end: under load
        # waitress logs a line per queued request, a pipe fills (64 KB) within a minute, and
        # the server then blocks on that write, every client timing out.
        log_path = Path(tmp) / "serve.log"
        log = log_path.open("w", encoding="utf-8")
        server = subprocess.Popen(
            [sys.executable, "-c", "import cli; cli.main()", "serve", "--archive", str(root),
             "--host", "127.0.0.1", "--port", str(port), "--no-watch",
             "--threads", str(args.threads)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if Client(port, token).get("/api/health")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            else:
                raise SystemExit("ika serve did not start")
            print(f"ika serve: pid {server.pid}, RSS at start {rss_mb(server.pid):.0f} MB")
            load_avg = " ".join(Path("/proc/loadavg").read_text().split()[:3])
            print(f"load average before: {load_avg} ({os.cpu_count()} cores)")
            if args.soak is None:
                times = latency(port, token, ids, args.requests)
                targets = {"dashboard": 0.150, "case list": 0.150, "case page": 0.150,
                           "search page": 0.300}
                for name, values in times.items():
                    ok = "ok" if p95(values) <= targets[name] else "OVER TARGET"
                    print(f"{name:12s} p50 {statistics.median(values) * 1000:6.1f} ms  "
                          f"p95 {p95(values) * 1000:6.1f} ms  (target "
                          f"{targets[name] * 1000:.0f} ms, {len(values)} requests) {ok}")
                r = load(port, token, ids, args.users, args.load_seconds)
                print(f"load: {args.users} users for {args.load_seconds:.0f} s: "
                      f"{r['requests']} requests ({r['per_second']:.1f}/s), {r['errors']} "
                      f"errors, p50 {r['p50'] * 1000:.0f} ms, p95 {r['p95'] * 1000:.0f} ms")
                print(f"RSS after load: {rss_mb(server.pid):.0f} MB")
            seconds = args.soak if args.soak is not None else args.soak_seconds
            if seconds > 0:
                soak(port, token, ids, server.pid, seconds, args.sample_every)
            load_avg = " ".join(Path("/proc/loadavg").read_text().split()[:3])
            print(f"load average after: {load_avg}")
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
            out = log_path.read_text(encoding="utf-8", errors="replace")
            errors = [line for line in out.splitlines() if re.search(r"Traceback|ERROR", line)]
            if errors:
                print("server log errors:", *errors[:5], sep="\n  ")


if __name__ == "__main__":
    main()
