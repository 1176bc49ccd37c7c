"""Evaluating a county's scheme groups for the dashboards, on both cores.

The engine scores each subject in Python, which holds the GIL: threads overlap only its
Polars parts, so a county (12,000 members in 8 scheme groups at M) used about one core of
two. A branch's results are its own, so the groups (a large one in parts) are split in two
sides of about equal cost and a helper process evaluates one side while this process does
the other (``split`` counts what each group costs to read, send and evaluate).

On a DuckDB file the helper holds no connection (the file allows one process): it gets
(scheme, case) pairs and gives back the dashboard rows. On a database server it reads its
own groups on a connection of its own, at the same time as this process reads its side.
It is started by the first large evaluation and used from the next one on, so no page waits
for it to start; a small evaluation (one branch, a test world) never uses it. If it dies,
that evaluation is done here and a new helper is started next time.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Callable
from pathlib import Path

import polars as pl

from core.decimals import json_number
from core.engine.case import CaseError
from core.engine.evaluate import evaluate_outcomes
from core.scheme.model import Scheme
from core.simulate import simulate

MAX_DROPPED = 200  # rows refused by the engine that are set aside before giving up on a group
SKIPPED = "skipped_row"  # a case row the engine refused (e.g. a category the scheme lacks)
# The dashboards' frames of results and warnings (core.metrics.scores builds them on these rows).
RESULT_SCHEMA = {"branch": pl.String, "subject": pl.String, "category": pl.String, "scheme": pl.String,
                 "total": pl.Float64, "grade": pl.String, "stars": pl.Int64, "rank": pl.Int64,
                 "flags": pl.List(pl.String)}
WARNING_SCHEMA = {"branch": pl.String, "code": pl.String, "message": pl.String, "scheme": pl.String}
MIN_SUBJECTS = 2000  # below this a second process costs more than it saves
# Microseconds per subject, event and entered score: to evaluate a group, to read it from a
# DuckDB file, and to pickle it here and unpickle it in the helper. Fitted on the 12 groups of
# an M county on 2026-11-30 (each group's least CPU of 4 runs), e.g. the 1,449 members, 383,028
# events and 1,327 scores of a 走访 group: 0.40 s to evaluate, 0.22 s to read. Reading all
# groups at once costs ~66 ms less per group than one by one.
COST = {"subject": 100, "event": 0.62, "score": 7.8}
# A simulation evaluates with the explanations and rates twice: 200 µs a member (the same 12
# groups: 1.15 s for the 5,104 members of a 百分制 group, 1.05 s for 2,857 members and 748k events).
SIMULATE_COST = {"subject": 200, "event": 0.62, "score": 7.8}
READ = {"subject": 2.5, "event": 0.42, "score": 3.7}
# A group sent: its rows pickled, its events written as an Arrow file (``_Spilled``: 18 ms for
# the 388k events of 7 groups) and read back there (25 ms).
PICKLE = {"subject": 1.2, "event": 0.05, "score": 0.9}
UNPICKLE = {"subject": 1.4, "event": 0.07, "score": 0.8}
SIZES_KEPT = 256  # groups whose last size is remembered
_lock = threading.Lock()
_sizes: OrderedDict = OrderedDict()  # group key → its size at its last evaluation


def _drop(case: dict, error: CaseError) -> str | None:
    """Set aside the row the engine named; return its subject (None if it cannot be found)."""
    part = error.field.split(".")[0]
    if error.row is None or part not in case:
        return None
    if part == "events":
        subject = case["events"]["subject"][error.row]
        case["events"] = pl.concat([case["events"][:error.row], case["events"][error.row + 1:]])
        return subject
    row = case[part].pop(error.row)
    if part == "subjects":
        gone = row["id"]
        case["events"] = case["events"].filter(pl.col("subject") != gone)
        for other in ("scores", "vetoes", "history"):
            case[other] = [r for r in case[other] if r["subject"] != gone]
        return gone
    return row.get("subject")


def evaluate_group(scheme: Scheme, case: dict) -> tuple[tuple | None, list[tuple[str | None, str]]]:
    """``evaluate_outcomes``, setting aside rows the engine refuses one at a time (each becomes
    a warning naming the member), so one member's bad data does not blank a county."""
    dropped: list[tuple[str | None, str]] = []
    while True:
        try:
            return evaluate_outcomes(scheme, case), dropped
        except CaseError as exc:
            subject = _drop(case, exc)
            dropped.append((subject, str(exc)))
            if subject is None or len(dropped) > MAX_DROPPED:
                return None, dropped


def group_rows(scheme: Scheme, case: dict, branch: str) -> tuple[list[dict], list[dict]]:
    """(result rows, warning rows) of one scheme group for the dashboards; ``branch`` names
    a refused row whose member is unknown. A period's ``total`` is its subtotal where a part
    is 未评 (as in ``evaluate``'s output)."""
    branch_of = {s["id"]: s["branch"] for s in case["subjects"]}  # before a row is set aside
    output, dropped = evaluate_group(scheme, case)
    warnings = [{"branch": branch_of.get(subject, branch), "code": SKIPPED,
                 "message": f"成员 {subject or ''} 的记录未计入：{message}", "scheme": scheme.id}
                for subject, message in dropped]
    if output is None:
        return [], warnings
    everyone, notes, view = output
    results = [{"branch": o.subject.branch, "subject": o.subject.id, "category": o.subject.category,
                "scheme": scheme.id, "grade": o.grade, "stars": o.stars, "rank": o.rank, "flags": o.flags,
                "total": json_number(o.total if o.total is not None or view.annual else o.subtotal)}
               for o in everyone]
    warnings += [{"branch": w.get("branch"), "code": w.get("code"), "message": w.get("message"),
                  "scheme": scheme.id} for w in notes]
    return results, warnings


# What each item of a request's work is evaluated by: a scheme group's dashboard rows from
# (scheme, case, branch), or a 方案调整 simulation's report from (scheme, case, new scheme).
TASKS: dict[str, Callable] = {"rows": group_rows, "simulate": simulate}


def _rows_of(work: list[tuple], task: str = "rows") -> list:
    return [TASKS[task](*one) for one in work]


def size(case: dict) -> tuple[int, int, int]:
    """A case's (subjects, events, entered scores): what its evaluation costs."""
    return len(case["subjects"]), len(case["events"]), len(case.get("scores") or [])


def _cost(counts: tuple[int, int, int], rates: dict) -> float:
    subjects, events, scores = counts
    return rates["subject"] * subjects + rates["event"] * events + rates["score"] * scores


def split(sizes: list[tuple[int, int, int]], *, here_reads: bool = True,
          helper_reads: bool = False, task: str = "rows") -> tuple[list[int], list[int]]:
    """(indexes evaluated here, indexes given to the helper) of groups of these ``size``s: the
    costliest group first, each to the side that lets the later of the two processes finish
    sooner. A group kept costs this process its reading (unless done: ``here_reads`` False)
    and its evaluation. A group sent is read and pickled here first, so that delays both
    processes, then unpickled and evaluated by the helper; on a database server
    (``helper_reads``) the helper reads it itself instead, at the same time as this process
    reads its own (``evaluate_read``)."""
    here: list[int] = []
    there: list[int] = []
    loads = (0.0, 0.0)  # this process, the helper
    cost = SIMULATE_COST if task == "simulate" else COST  # looked up now: a test sets them
    for i in sorted(range(len(sizes)), key=lambda i: -_cost(sizes[i], cost)):
        evaluated, read = _cost(sizes[i], cost), _cost(sizes[i], READ)
        if helper_reads:
            keep, send = (read + evaluated, 0.0), (0.0, read + evaluated)
        else:
            before = (read if here_reads else 0.0) + _cost(sizes[i], PICKLE)
            keep = ((read if here_reads else 0.0) + evaluated, 0.0)
            send = (before, before + _cost(sizes[i], UNPICKLE) + evaluated)
        kept = (loads[0] + keep[0], loads[1] + keep[1])
        sent = (loads[0] + send[0], loads[1] + send[1])
        if max(kept) <= max(sent):
            here.append(i)
            loads = kept
        else:
            there.append(i)
            loads = sent
    return sorted(here), sorted(there)


class _Helper:
    """``python -m core.metrics.group_eval``: requests and replies are pickles, each after
    its length, on the helper's stdin and stdout. Its own process, not multiprocessing:
    that re-imports the parent's main script in the child (a Streamlit page, a bench
    script), which must not run twice."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[2])  # the directory holding ``core``
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-m", "core.metrics.group_eval"], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.busy = threading.Lock()  # one request at a time; a second caller works alone
        self.ready = threading.Event()
        threading.Thread(target=self._wait_ready, daemon=True).start()

    def _wait_ready(self) -> None:
        try:
            if _receive(self.proc.stdout) == "ready":
                self.ready.set()
        except (OSError, EOFError, pickle.UnpicklingError):
            pass

    def ask(self, box: list):
        """The reply to the request in ``box``, taken out as it is sent: this process then holds
        no reference to the work it gave away while the helper does it."""
        kind, work = box.pop()
        folder = None if kind == "read" else tempfile.mkdtemp(prefix="jifen-eval-", dir=_spill_dir(work))
        try:
            _send(self.proc.stdin, (kind, work if folder is None else _spilled(work, folder)))
            work = None
            status, value = _receive(self.proc.stdout)
        finally:
            if folder is not None:  # the helper's reads are done, or it died
                shutil.rmtree(folder, ignore_errors=True)
        if status == "error":
            raise RuntimeError(value)
        return value

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


_SHARED = "/dev/shm"  # memory-backed files, where the system has them (else the temp folder)


class _Spilled:
    """A case's event frame sent beside a request, as an Arrow file the helper reads back.
    Polars writes it without holding the GIL, while this process goes on reading its own
    groups; pickled with the request it held the GIL (a county's 0.4M events sent: 50–60 ms,
    and 29 MB through the pipe)."""

    def __init__(self, frame: pl.DataFrame, folder: str) -> None:
        handle, self.path = tempfile.mkstemp(suffix=".arrow", dir=folder)
        os.close(handle)
        frame.write_ipc(self.path)

    def load(self) -> pl.DataFrame:
        frame = pl.read_ipc(self.path)
        os.unlink(self.path)  # read: the file is no longer needed (the folder goes after the reply)
        return frame


def _spill_dir(work: list[tuple]) -> str | None:
    """``/dev/shm`` if it can hold the work's event frames twice over (a container's is often
    64 MB), else the system's temporary folder (None)."""
    needed = sum(case["events"].estimated_size() for _, case, *_ in work
                 if isinstance(case.get("events"), pl.DataFrame))
    try:
        room = shutil.disk_usage(_SHARED).free if os.access(_SHARED, os.W_OK) else 0
    except OSError:
        room = 0
    return _SHARED if room > 2 * needed else None


def _spilled(work: list[tuple], folder: str) -> list[tuple]:
    """The work with each case's event frame written to ``folder`` (copies of the cases: the
    caller's stay whole, to be evaluated here if the helper dies)."""
    return [(first, {**case, "events": _Spilled(case["events"], folder)}
             if isinstance(case.get("events"), pl.DataFrame) else case, *rest)
            for first, case, *rest in work]


def _loaded(work: list[tuple]) -> list[tuple]:
    return [(first, {**case, "events": case["events"].load()} if isinstance(case.get("events"), _Spilled) else case,
             *rest) for first, case, *rest in work]


def _send(stream, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<Q", len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream):
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError("求值进程已退出")
    size = struct.unpack("<Q", head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("求值进程已退出")
    return pickle.loads(data)


_helper: _Helper | None = None
_cannot_start = False  # a helper exited before it was ready (it cannot import): do without


def _idle_helper() -> _Helper | None:
    """The helper if it is up and free, locked for the caller; otherwise None, starting one
    (for the next evaluation) if there is none."""
    global _helper, _cannot_start
    with _lock:
        if _helper is None or _helper.proc.poll() is not None:
            if _helper is not None and not _helper.ready.is_set():
                _cannot_start = True
            if _cannot_start or (os.cpu_count() or 1) < 2:
                return None
            _helper = _Helper()
            return None
        if _helper.ready.is_set() and _helper.busy.acquire(blocking=False):
            return _helper
        return None


def _discard(helper: _Helper) -> None:
    global _helper
    with _lock:
        if _helper is helper:
            _helper = None
    helper.close()


def stop() -> None:
    """Stop the helper, if one is up; its database connections close with it (``bench`` then
    copies the demo database, which PostgreSQL allows only with no other session on it)."""
    helper = _helper
    if helper is not None:
        _discard(helper)


def helper_pid() -> int | None:
    """The helper process's id, if one is up (``bench`` samples its memory)."""
    helper = _helper
    return helper.proc.pid if helper is not None and helper.proc.poll() is None else None


Work = list[tuple[Scheme, dict, str]]  # (scheme, case, branch) of each group
Rows = list[tuple[list[dict], list[dict]]]  # group_rows of each group


def _rows_and_sizes(work: Work, task: str = "rows") -> tuple[Rows, list[tuple[int, int, int]]]:
    sizes = [size(case) for _, case, _ in work]  # before group_rows sets a refused row aside
    return _rows_of(work, task), sizes


def evaluate_groups(work: Work, task: str = "rows") -> Rows:
    """``group_rows`` (or another of the ``TASKS``) of each item of ``work``, in order."""
    helper = _idle_helper() if sum(len(case["subjects"]) for _, case, _ in work) >= MIN_SUBJECTS else None
    if helper is None:
        # Two groups at a time: one group's Polars work (which releases the GIL) runs while
        # the other's Python scoring holds it.
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(lambda one: TASKS[task](*one), work))
    here, there = split([size(case) for _, case, _ in work], here_reads=False, task=task)
    mine, (rows, _) = _share(helper, lambda: [work[i] for i in here], [(task, [work[i] for i in there])],
                             lambda: _rows_and_sizes([work[i] for i in there], task), task)
    return _placed(len(work), here, mine, there, rows)


def evaluate_read(keys: list, read: Callable[[list[int]], Work],
                  remote: Callable[[list[int]], tuple] | None = None, task: str = "rows") -> Rows:
    """``group_rows`` (or another of the ``TASKS``) of each group, in order; ``read(indexes)``
    gives those groups' work and ``keys`` name the groups from one evaluation to the next.
    Once the groups' sizes are known from an earlier evaluation, the helper works while this
    process reads and evaluates its own groups (sizes change little between two evaluations;
    a changed one only makes the split less even, never the results different). With
    ``remote`` (a database server: ``remote(indexes)`` gives what ``_read`` needs) the helper
    reads its groups itself, on a connection of its own, at the same time as this process
    reads; otherwise they are read here first and sent."""
    known = [_sizes.get(key) for key in keys]
    helper = None
    if all(known) and sum(subjects for subjects, _, _ in known) >= MIN_SUBJECTS:
        helper = _idle_helper()

    def remembered(indexes: list[int]) -> Work:
        work = read(indexes) if indexes else []
        _remember([keys[i] for i in indexes], [size(case) for _, case, _ in work])
        return work

    if helper is None:
        return evaluate_groups(remembered(list(range(len(keys)))), task)
    here, there = split(known, helper_reads=remote is not None, task=task)
    # Their sizes are remembered from the reply, like the helper's own reads. Read here, their
    # work is only in the request (if the helper dies, it is read again and evaluated here).
    box = [(task, read(there)) if remote is None else ("read", remote(there))] if there else []
    mine, (rows, sizes) = _share(helper, lambda: remembered(here), box,
                                 lambda: _rows_and_sizes(read(there), task), task)
    _remember([keys[i] for i in there], sizes)
    return _placed(len(keys), here, mine, there, rows)


def _remember(keys: list, sizes: list[tuple[int, int, int]]) -> None:
    with _lock:
        for key, counts in zip(keys, sizes):
            _sizes[key] = counts
            _sizes.move_to_end(key)
        while len(_sizes) > SIZES_KEPT:
            _sizes.popitem(last=False)


def _placed(count: int, here: list[int], mine: Rows, there: list[int], theirs: Rows) -> Rows:
    out: list = [None] * count
    for i, rows in [*zip(here, mine), *zip(there, theirs)]:
        out[i] = rows
    return out


def _share(helper: _Helper, work_here: Callable[[], Work], box: list,
           local: Callable[[], tuple], task: str = "rows") -> tuple[Rows, tuple]:
    """(the rows of ``work_here()``, the helper's (rows, sizes) for the request in ``box``, if
    any): the helper (taken by the caller, released here) works on it while this process gets its own
    groups and evaluates them; if the helper dies, ``local()`` gives its reply here."""
    try:
        reply: dict = {}
        asking = threading.Thread(target=_ask, args=(helper, box, reply))
        asking.start()
        mine = _rows_of(work_here(), task)
        asking.join()
        if "value" not in reply:  # the helper died (killed, out of memory): do its part here
            _discard(helper)
            reply["value"] = local()
        return mine, reply["value"]
    finally:
        helper.busy.release()


def _ask(helper: _Helper, box: list, reply: dict) -> None:
    try:
        reply["value"] = helper.ask(box) if box else ([], [])
    except (OSError, EOFError, RuntimeError):  # evaluated here instead, where an error is raised as itself
        pass


_stores: dict = {}  # the helper's own store per database URL


def _read(task: str, url: str, groups: list, cycle: int, extra) -> Work:
    """The helper reading its groups from a database server, as the app process would: for
    the dashboards' rows (``extra``: the day results are counted to), or for a simulation
    (``extra``: each group's new scheme)."""
    from core.metrics.scores import group_work  # both import this module
    from core.scheme_edit import simulation_work
    from core.store import Store
    if url not in _stores:
        _stores[url] = Store(url, pool_size=2)
    if task == "simulate":
        return simulation_work(_stores[url], groups, cycle, extra)
    return group_work(_stores[url], groups, cycle, extra)


def _serve() -> None:
    """The helper's loop: answer requests until the parent closes the pipe."""
    source = sys.stdin.buffer
    sink = os.fdopen(os.dup(1), "wb")  # the replies' own pipe: anything printed goes to stderr
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _send(sink, "ready")
    while True:
        try:
            kind, work = _receive(source)
        except EOFError:
            return
        value = None
        try:
            value = _rows_and_sizes(_read(*work), work[0]) if kind == "read" else _rows_and_sizes(_loaded(work), kind)
            _send(sink, ("ok", value))
        except Exception as exc:  # the parent raises it as the caller's error
            _send(sink, ("error", f"{type(exc).__name__}: {exc}"))
        work = value = None
        _release()  # after the reply: the parent goes on meanwhile


def _release() -> None:
    """Give the last request's memory back to the system while the helper waits: it stays up
    beside the app process, which may reach its own peak meanwhile (at M it held 145–205 MB
    idle, 100 MB once released)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


if __name__ == "__main__":
    # the loop of the module as imported, whose classes are those a request's pickle names
    from core.metrics.group_eval import _serve as serve
    serve()
