"""Several app processes on one PostgreSQL: 2 OS processes × 20 threads enter, approve and
reverse through the services at once, some requests sent by both processes with the same
request key. Nothing may rely on a lock inside one process, so the ledger must hold exactly
what the writers report committed: 0 lost, 0 doubled. Then one writer is killed with SIGKILL
mid-write: every write it reported is in the database, and the database stays consistent.

The writers are this file run as a script (``python -m tests.test_multiprocess_pg URL P ROUNDS``),
so the test and what it runs are read together. A writer prints one line per committed write,
flushed at once, so what the parent read is what had committed before a kill:
  E key id        an entry committed (or the first entry of that request key returned)
  A key id        an approval committed          a key id   approval refused (already decided)
  V key rid id    a reversal rid of event id      v key id   reversal refused (already reversed)
  X message       anything unexpected (the test fails on it)
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THREADS = 20  # per process: 2 processes × 20 threads = 40 writers
ROUNDS = 4
BRANCH = "C01T01B01"
MEMBER_IDS = [f"M{n:02d}" for n in range(1, 41)]  # ~40 members in one branch: one per writer
DAY0 = dt.date(2025, 8, 1)
TODAY = dt.date(2025, 11, 20)  # cycle 2025 of party-q100-3to1 (starts 07-01): August is Q1


# -- the writer (runs in a child process) --------------------------------------------------

def writer_main(url: str, proc: int, rounds: int) -> None:
    """``rounds`` per thread (0 = until killed). Thread t of process p, round i:
    - enters its own event (key p{p}t{t}i{i}, member M[p·20+t]); approves it when i is even;
      reverses it when i % 3 == 0;
    - enters the shared request s-t{t}-i{i} (the same key from every process: one event),
      tries to approve it (one approval wins), and when i is odd tries to reverse it with its
      own request key (one reversal wins, the unique index on events.reverses refuses the
      other and the retried check reports 已撤销)."""
    from core.auth import User
    from core.services import ledger, review
    from core.services.entry_rules import EntryError
    from core.store import Store

    secretary = User("shuji01", "一村书记", "secretary", BRANCH)
    store = Store(url)
    out_lock = threading.Lock()

    def emit(*parts) -> None:
        with out_lock:
            sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
            sys.stdout.flush()

    def body(t: int) -> None:
        member = MEMBER_IDS[(proc * THREADS + t) % len(MEMBER_IDS)]
        i = 0
        try:
            while rounds == 0 or i < rounds:
                day = DAY0 + dt.timedelta(days=i % 100)
                key = f"p{proc}t{t}i{i}"
                eid = ledger.enter_event(store, secretary, member, "miss_meeting", day, note=key,
                                         request_key=key, today=TODAY)
                emit("E", key, eid)
                if i % 2 == 0:
                    review.approve(store, secretary, [eid])
                    emit("A", key, eid)
                if i % 3 == 0:
                    rid = ledger.reverse_event(store, secretary, eid, reason=f"撤销{key}", request_key="r" + key)
                    emit("V", key, rid, eid)
                if proc < 2:  # the shared requests (the kill run's processes 2 and 3 write only their own)
                    skey = f"s-t{t}-i{i}"
                    sid = ledger.enter_event(store, secretary, MEMBER_IDS[t], "late_dues", day, note=skey,
                                             request_key=skey, today=TODAY)
                    emit("E", skey, sid)
                    try:
                        review.approve(store, secretary, [sid])
                        emit("A", skey, sid)
                    except EntryError:
                        emit("a", skey, sid)
                    if i % 2 == 1:
                        try:
                            rid = ledger.reverse_event(store, secretary, sid, reason="重复录入",
                                                       request_key=f"r{skey}p{proc}")
                            emit("V", skey, rid, sid)
                        except EntryError:
                            emit("v", skey, sid)
                i += 1
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails
            emit("X", type(exc).__name__, str(exc).replace("\n", " "))

    emit("READY")
    sys.stdin.readline()  # both processes start writing at the same moment
    threads = [threading.Thread(target=body, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    store.close()
    emit("DONE")


# -- the parent --------------------------------------------------------------------------

class Writer:
    """A writer process and the lines it printed, read as they come."""

    def __init__(self, url: str, proc: int, rounds: int):
        env = dict(os.environ, JIFEN_PG_POOL=str(THREADS))  # a connection per thread: 40 truly at once
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.test_multiprocess_pg", url, str(proc), str(rounds)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, test, timeout: float, what: str) -> None:
        deadline = time.time() + timeout
        while not test(self):
            if time.time() > deadline or (self.proc.poll() is not None and not test(self)):
                time.sleep(0.2)
                if test(self):
                    return
                pytest.fail(f"写入进程未能{what}：{self.lines[-5:]} {self.proc.stderr.read()[-2000:] if self.proc.poll() is not None else ''}")
            time.sleep(0.05)

    def go(self) -> None:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def finish(self, timeout: float = 120) -> list[list[str]]:
        self.proc.wait(timeout)
        self._reader.join(10)
        return self.records()

    def records(self) -> list[list[str]]:
        return [line.split(" ") for line in list(self.lines) if line and line[0] in "EAVavX"]


def count_lines(n_lines: int):
    return lambda w: len(w.lines) >= n_lines


def start_together(*writers: Writer) -> None:
    for w in writers:
        w.wait_for(lambda w: "READY" in w.lines, 60, "启动")
    for w in writers:
        w.go()


def build_world(store) -> None:
    """A county, a township, one branch of 40 members on the party scheme."""
    from core.auth import User
    from core.scheme_assignments import assign_scheme

    def work(cur):
        for code, name, level, parent, path in [
                ("C01", "测试县", "county", None, "/C01/"),
                ("C01T01", "测试镇", "township", "C01", "/C01/C01T01/"),
                (BRANCH, "一村党支部", "branch", "C01T01", f"/C01/C01T01/{BRANCH}/")]:
            cur.execute("INSERT INTO orgs(code, name, level, parent_code, path) VALUES (?, ?, ?, ?, ?)",
                        [code, name, level, parent, path]).fetchall()
        cur.executemany("INSERT INTO members(id, name, branch_code, status, initials, category)"
                        " VALUES (?, ?, ?, 'active', 'cy', '普通类')",
                        [(mid, f"成员{mid[1:]}", BRANCH) for mid in MEMBER_IDS])

    store.write(work)
    assign_scheme(store, User("zhen01", "镇组织委员", "township", "C01T01"), "C01T01", "party-q100-3to1",
                  dt.date(2024, 7, 1), reason="全镇统一")


@pytest.fixture
def pg_world(pg_cluster):
    from core.store import Store
    from tests.conftest import _drop_db, pg_copy

    name, url = pg_copy(pg_cluster, "jifen_template")
    store = Store(url)
    build_world(store)
    yield url, store
    store.close()
    _drop_db(pg_cluster, name)


def consistency(store) -> None:
    """What must hold whatever was killed when: every reversal points to an existing,
    non-reversal event; at most one reversal per event; at most one review per event; every
    event and every review has its audit row (written in the same transaction)."""
    assert store.scalar("SELECT count(*) FROM events r LEFT JOIN events e ON e.id = r.reverses"
                        " WHERE r.reverses IS NOT NULL AND (e.id IS NULL OR e.reverses IS NOT NULL)") == 0
    assert store.scalar("SELECT count(*) FROM (SELECT reverses FROM events WHERE reverses IS NOT NULL"
                        " GROUP BY reverses HAVING count(*) > 1) d") == 0
    assert store.scalar("SELECT count(*) FROM event_reviews r LEFT JOIN events e ON e.id = r.event_id"
                        " WHERE e.id IS NULL") == 0
    # an entry's audit row names the event; a reversal's names the event it reverses
    assert store.scalar(
        "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'event'"
        " AND a.entity_id = CAST(coalesce(e.reverses, e.id) AS VARCHAR)"
        " AND a.action = CASE WHEN e.reverses IS NULL THEN 'event.enter' ELSE 'event.reverse' END)") == 0
    assert store.scalar(
        "SELECT count(*) FROM event_reviews r WHERE NOT EXISTS (SELECT 1 FROM audit_log a"
        " WHERE a.action = 'event.approve' AND a.entity_id = CAST(r.event_id AS VARCHAR))") == 0
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action LIKE 'event.%'") == (
        store.scalar("SELECT count(*) FROM events") + store.scalar("SELECT count(*) FROM event_reviews"))


def test_forty_writers_in_two_processes_lose_nothing_and_double_nothing(pg_world):
    url, store = pg_world
    writers = [Writer(url, p, ROUNDS) for p in (0, 1)]
    start_together(*writers)
    records = [r for w in writers for r in w.finish()]
    assert [r for r in records if r[0] == "X"] == []

    # Worked out from the rounds (i = 0..3, 40 writers, 20 shared keys a round):
    #   own entries 40 × 4 = 160; own approvals at i = 0, 2 → 40 × 2 = 80;
    #   own reversals at i = 0, 3 → 40 × 2 = 80;
    #   shared entries 20 × 4 = 80 (each sent by both processes); each approved once → 80;
    #   shared reversals at i = 1, 3 → 20 × 2 = 40.
    # events = 160 + 80 + 80 + 40 = 360; reviews = 80 + 80 = 160.
    entries = {}
    for kind, key, eid, *_ in (r for r in records if r[0] == "E"):
        entries.setdefault(key, set()).add(int(eid))
    assert len(entries) == 160 + 80
    assert all(len(ids) == 1 for ids in entries.values()), "同一请求键在两个进程得到不同记录"
    assert Counter(key for kind, key, *_ in records if kind == "E" and key.startswith("s-")) == {
        f"s-t{t}-i{i}": 2 for t in range(THREADS) for i in range(ROUNDS)}
    approved = Counter(int(r[2]) for r in records if r[0] == "A")
    reversals = {int(r[2]): int(r[3]) for r in records if r[0] == "V"}
    assert len(approved) == 160 and set(approved.values()) == {1}
    assert len(reversals) == 120 and len(set(reversals.values())) == 120
    assert Counter(r[0] for r in records if r[1].startswith("s-") and r[0] in "aAvV") == {
        "A": 80, "a": 80, "V": 40, "v": 40}

    # the database holds exactly what was reported, nothing more
    entry_ids = {i for ids in entries.values() for i in ids}
    assert {r[0] for r in store.all("SELECT id FROM events WHERE reverses IS NULL")} == entry_ids
    assert dict(store.all("SELECT id, reverses FROM events WHERE reverses IS NOT NULL")) == reversals
    assert {r[0] for r in store.all("SELECT event_id FROM event_reviews")} == set(approved)
    assert store.scalar("SELECT count(*) FROM events") == 360
    assert dict(store.all("SELECT action, count(*) FROM audit_log WHERE action LIKE 'event.%' GROUP BY action")) == {
        "event.enter": 240, "event.approve": 160, "event.reverse": 120}
    consistency(store)
    # every write bumped the version: 240 + 80 first entries (shared sent twice) + 160 + 120
    assert store.data_version() >= 240 + 160 + 120


def test_a_writer_killed_mid_write_loses_no_committed_write(pg_world):
    url, store = pg_world
    victim, survivor = Writer(url, 2, 0), Writer(url, 3, 3)  # the victim writes until killed
    start_together(victim, survivor)
    victim.wait_for(count_lines(1 + 150), 60, "写满150条")
    os.kill(victim.proc.pid, signal.SIGKILL)
    victim.proc.wait(10)
    reported = victim.finish()
    survived = survivor.finish()
    assert [r for r in reported + survived if r[0] == "X"] == []

    # every write the victim reported is in the database
    entered = {int(r[2]): r[1] for r in reported if r[0] == "E"}
    in_db = dict(store.all("SELECT id, request_key FROM events WHERE request_key LIKE 'p2t%' AND reverses IS NULL"))
    assert entered.items() <= in_db.items()
    # besides what it reported, at most one write per thread was committed and not yet printed
    assert len(in_db) - len(entered) <= THREADS
    reviewed = {r[0] for r in store.all("SELECT event_id FROM event_reviews")}
    assert {int(r[2]) for r in reported if r[0] == "A"} <= reviewed
    reversed_ = dict(store.all("SELECT id, reverses FROM events WHERE reverses IS NOT NULL"))
    assert {int(r[2]): int(r[3]) for r in reported if r[0] == "V"}.items() <= reversed_.items()

    # the survivor finished its 3 rounds × 20 threads: 60 entries, approvals at i = 0, 2 → 40,
    # reversals at i = 0 → 20
    assert Counter(r[0] for r in survived) == {"E": 60, "A": 40, "V": 20}
    assert store.scalar("SELECT count(*) FROM events WHERE request_key LIKE 'p3t%'") == 60
    consistency(store)
    writes = store.scalar("SELECT count(*) FROM events") + len(reviewed)
    assert store.data_version() >= writes


def test_a_login_code_claimed_by_two_processes_at_once_is_spent_once(pg_world):
    """The one-time hand-off code (login → cookie) read by two app processes at the same
    moment: one gets the cookie token, the other nothing (two connections stand for two
    processes; what matters is that both read before either writes)."""
    from core.auth import sessions

    url, store = pg_world
    tokens = []
    for _ in range(20):
        _, code = sessions.open_session(store, "shuji01")
        barrier, got = threading.Barrier(2), []

        def claim():
            barrier.wait()
            got.append(sessions.claim_handoff(store, code))

        pair = [threading.Thread(target=claim) for _ in range(2)]
        for th in pair:
            th.start()
        for th in pair:
            th.join(30)
        assert len(got) == 2 and got.count(None) == 1, got
        tokens.append(next(t for t in got if t))
    assert len(set(tokens)) == 20


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    writer_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
