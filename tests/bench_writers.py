"""Sustained entries per second through ``ledger.enter_event`` (the figures in docs/scale.md).

    .venv/bin/python -m tests.bench_writers pg [--procs 2 --threads 20 --seconds 20] [--url URL]
    .venv/bin/python -m tests.bench_writers duckdb [--threads 1 --seconds 20]

``pg`` starts a durable throwaway cluster (fsync on, as a server runs; or uses ``--url``, an
empty database), builds the 40-member branch of tests/test_multiprocess_pg.py, then runs
``procs`` OS processes × ``threads`` threads, each entering events with its own request keys
for ``seconds`` (after a 2 s warm-up that is not counted). ``duckdb`` runs the threads in this
one process on a DuckDB file (one process alone can open it; its writes are serialised).
Prints one JSON line: entries, seconds, entries/s, and the table sizes per event on PG.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WARMUP = 2.0


def run_threads(store, proc: int, threads: int, seconds: float) -> int:
    """Enter events from ``threads`` threads; the number entered in the timed window."""
    from core.auth import User
    from core.services import ledger
    from tests.test_multiprocess_pg import BRANCH, DAY0, MEMBER_IDS, TODAY

    secretary = User("shuji01", "一村书记", "secretary", BRANCH)
    start = time.time()
    counted = [0] * threads

    def body(t: int) -> None:
        member = MEMBER_IDS[(proc * threads + t) % len(MEMBER_IDS)]
        i = 0
        while True:
            now = time.time()
            if now > start + WARMUP + seconds:
                return
            key = f"b{proc}t{t}i{i}"
            ledger.enter_event(store, secretary, member, "miss_meeting", DAY0 + dt.timedelta(days=i % 100),
                               note=f"测试录入 {key}", request_key=key, today=TODAY)
            if time.time() <= start + WARMUP + seconds and now >= start + WARMUP:
                counted[t] += 1
            i += 1

    workers = [threading.Thread(target=body, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counted)


def child(url: str, proc: int, threads: int, seconds: float) -> None:
    from core.store import Store

    store = Store(url, pool_size=threads)
    print("READY", flush=True)
    sys.stdin.readline()
    print(run_threads(store, proc, threads, seconds), flush=True)
    store.close()


def sizes(store) -> dict:
    """Bytes per entered event on PostgreSQL: the event row and its audit row, indexes included."""
    out = {}
    for table in ("events", "audit_log"):
        total = store.scalar(f"SELECT pg_total_relation_size('{table}')")
        rows = store.scalar(f"SELECT count(*) FROM {table}")
        out[table] = {"rows": rows, "bytes": total, "bytes_per_row": round(total / rows, 1)}
    return out


def bench_pg(args) -> dict:
    import psycopg

    from core.store import Store
    from core.store.pgcluster import Cluster
    from tests.test_multiprocess_pg import build_world

    cluster = None
    url = args.url
    if url is None:
        cluster = Cluster(durable=True).start()
        with psycopg.connect(cluster.url, autocommit=True) as con:
            con.execute("CREATE DATABASE bench")
        url = cluster.url_for("bench")
    try:
        store = Store(url)
        build_world(store)
        procs = [subprocess.Popen([sys.executable, "-m", "tests.bench_writers", "child", url, str(p), str(args.threads),
                                   str(args.seconds)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                 for p in range(args.procs)]
        for p in procs:
            assert p.stdout.readline().strip() == "READY"
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        entries = sum(int(p.stdout.readline()) for p in procs)
        for p in procs:
            p.wait()
        with psycopg.connect(url, autocommit=True) as con:
            con.execute("VACUUM ANALYZE")
        result = {"backend": "postgres", "durable": cluster is not None, "procs": args.procs,
                  "threads": args.threads, "seconds": args.seconds, "entries": entries,
                  "entries_per_s": round(entries / args.seconds, 1), "sizes": sizes(store)}
        store.close()
        return result
    finally:
        if cluster is not None:
            cluster.stop()


def bench_duckdb(args) -> dict:
    from core.store import Store
    from tests.test_multiprocess_pg import build_world

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        build_world(store)
        entries = run_threads(store, 0, args.threads, args.seconds)
        store.close()
    return {"backend": "duckdb", "procs": 1, "threads": args.threads, "seconds": args.seconds, "entries": entries,
            "entries_per_s": round(entries / args.seconds, 1)}


def main() -> None:
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backend", choices=["pg", "duckdb"])
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--url")
    args = parser.parse_args()
    print(json.dumps(bench_pg(args) if args.backend == "pg" else bench_duckdb(args), ensure_ascii=False))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
