"""The import benchmark behind ``bench``'s ``import_members_12k_s`` and ``import_events_100k_s``:
a county roster of 12,000 new members and 100,000 point events, each as an .xlsx file a
branch would upload, timed from bytes to committed batch (read, validate, preview, write).

    python -m core.imports.bench --db PATH_OR_URL   # one JSON line, with this process's peak MB
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import time
from pathlib import Path

import xlsxwriter

from core import imports
import core.imports.events  # noqa: F401  (loaded as the app has them: their import is not timed)
import core.imports.members  # noqa: F401
from core.auth import User
from core.idcard import check_digit
from core.services.ledger import items_for
from core.scheme_assignments import NoSchemeError, scheme_for
from core.store import Store
from core.memory import peak_mb

MEMBERS, EVENTS = 12_000, 100_000


def _xlsx(headers: list[str], rows) -> bytes:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True}) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, headers)
        for i, row in enumerate(rows, start=1):
            sheet.write_row(i, 0, row)
    return buffer.getvalue()


def roster_file(store: Store, count: int = MEMBERS, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    branches = [r[0] for r in store.all("SELECT code FROM orgs WHERE level = 'branch' ORDER BY code")]
    rows = []
    for i in range(count):
        born = dt.date(1955, 1, 1) + dt.timedelta(days=i * 3 % 14_000)
        first17 = f"330102{born:%Y%m%d}{i // 4667:03d}"
        rows.append([f"测试{i:05d}", first17 + check_digit(first17), f"{born:%Y.%m}",
                     f"{born.year + 25}年7月1日", rng.choice(branches), "正式党员", f"139{i:08d}"])
    return _xlsx(["姓名", "身份证号", "出生年月", "入党时间", "所在支部", "党员类别", "联系电话"], rows)


def events_file(store: Store, count: int = EVENTS, today: dt.date | None = None, seed: int = 7) -> bytes:
    """Point events for the members there, on open (not finalised) days of the last year."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    # members a row can name without an ID number: active, and the only one of that name in the branch
    named = store.all("SELECT id, name, branch_code, kind FROM (SELECT m.*, count(*) OVER"
                        " (PARTITION BY name, branch_code) AS same FROM members m) n WHERE same = 1 AND status = 'active'")
    locks = store.all("SELECT branch_code, start_date, end_date FROM period_locks WHERE reopened_at IS NULL")
    pool: dict[tuple[str, str], list] = {}
    days: dict[str, list[dt.date]] = {}
    for _, _, branch, kind in named:
        if branch not in days:
            spans = [(a, b) for c, a, b in locks if c == branch]
            days[branch] = [d for d in (today - dt.timedelta(days=k) for k in range(365))
                            if not any(a <= d <= b for a, b in spans)]
        key = (branch, kind)
        if key not in pool:
            try:
                scheme, _ = scheme_for(store, branch, today)
                pool[key] = [i for i in items_for(scheme, kind) if not i.is_range and i.frequency == "per_event"]
            except NoSchemeError:
                pool[key] = []
    usable = [m for m in named if pool[(m[2], m[3])] and days[m[2]]]
    rows = []
    while len(rows) < count:
        _, name, branch, kind = rng.choice(usable)
        item = rng.choice(pool[(branch, kind)])
        rows.append([name, branch, item.name, f"{rng.choice(days[branch]):%Y-%m-%d}", "", "1", f"台账{len(rows)}"])
    return _xlsx(["姓名", "所在支部", "积分项目", "日期", "分值", "次数", "备注"], rows)


def timings(db: Path | str, scale: float = 1.0) -> dict:
    """Seconds to import the roster and the events into a copy of ``db`` (a file or a
    PostgreSQL URL) as its first admin; ``scale`` shrinks both files (the bench's own test
    checks the figures' shape, not their size)."""
    from core.bench import copy_of  # late: core.bench pulls in pandas and the metrics

    with copy_of(db) as copy:
        store = Store(copy)
        try:
            admin = store.one("SELECT username, display_name, role, org_code FROM users WHERE role = 'admin'"
                              " ORDER BY username LIMIT 1")
            user = User(*admin)
            out = {}
            data = events_file(store, round(EVENTS * scale))
            out["import_events_100k_s"] = _timed(store, user, "events", data)
            data = roster_file(store, round(MEMBERS * scale))
            out["import_members_12k_s"] = _timed(store, user, "members", data)
            return out
        finally:
            store.close()


def _timed(store: Store, user, kind: str, data: bytes) -> float:
    start = time.perf_counter()
    preview = imports.preview(store, user, kind, data, f"{kind}.xlsx")
    if not preview.ok:
        raise RuntimeError(f"{kind}: {preview.errors.head(5).rows()}")
    imports.commit(store, user, preview)
    return round(time.perf_counter() - start, 2)


def main() -> None:
    from core.cli import db_target

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=db_target, required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    out = timings(args.db, args.scale)
    out["peak_mb"] = peak_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
