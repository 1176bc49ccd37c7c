"""The append-only point ledger: enter, reverse, and the one definition of which events count.

An event row is never updated or deleted. Its status is derived:
  entered (no review row) → approved | rejected (one ``event_reviews`` row, see review.py);
  a reversal is its own event whose ``reverses`` names the original, and it takes effect at
  once (no review), so the original stops counting the moment it is reversed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import polars as pl

from core import audit, bounds
from core.auth import can, require, scope_for
from core.cycles import month_end
from core.decimals import fmt, signed
from core.scheme import Item, Scheme
from core.scheme_assignments import scheme_for, track_of_kind
from core.services.entry_rules import EntryError, MemberRow, check_date, check_unlocked, member_row, require_active
from core.store import Store
from core.store.locks import lock_rows

RATINGS = ("满意", "基本满意", "不满意")
KIND_NAMES = {"member": "党员", "resident": "村民", "family": "家庭户", "household": "农户", "unit": "单位",
              "volunteer": "义工"}

# The events that count: approved, not a reversal, not reversed — the rule, over ``events e``.
# It is evaluated only for the ids a write touches (``refresh_effective``); reads use the
# ``effective_events`` rollup it maintains (migration 7), so a period's read no longer joins
# its events to every review (PostgreSQL at M: 3.9 s of the county evaluate's 6.9 s).
EFFECTIVE_RULE_SQL = """
SELECT e.id, e.branch_code, e.member_id, e.date, e.item, e.count, e.points, e.rating, e.fraud FROM events e
JOIN event_reviews r ON r.event_id = e.id AND r.decision = 'approved'
WHERE e.reverses IS NULL AND NOT EXISTS (SELECT 1 FROM events x WHERE x.reverses = e.id) AND {where}
"""

# The events that count, as whole ``events`` rows: for the few reads that show a note,
# evidence or who entered them (one branch's ledger, one member's file), never a dashboard.
EFFECTIVE_EVENTS_SQL = """
SELECT e.* FROM events e JOIN effective_events f ON f.event_id = e.id
"""

# The events that count with what scoring and the dashboards read (who, where, when, item,
# count, points, rating, fraud), from the rollup alone (migration 10): no read of counting
# events joins ``events`` (PostgreSQL at M: participation by month joined 800k events to
# 1.9M rollup rows, 1.6 s of its 3.4 s; monthly points 1.6 s; the case builder's join ~0.9 s).
EFFECTIVE_ROLLUP_SQL = """
SELECT event_id AS id, branch_code, member_id, date, item, count, points, rating, fraud FROM effective_events
"""
ROLLUP_COLUMNS = "event_id, branch_code, member_id, date, item, count, points, rating, fraud"
# the tables ``refresh_effective`` and its kin keep in line with the ledger
ROLLUPS = ("effective_events", "pending_events", "event_months", "member_months", "member_years")


# The events waiting for review (待审核), over ``events e``: kept in ``pending_events``.
PENDING_RULE_SQL = """
SELECT e.id, e.branch_code, e.member_id, e.entered_at FROM events e
WHERE e.reverses IS NULL AND NOT EXISTS (SELECT 1 FROM event_reviews r WHERE r.event_id = e.id)
  AND NOT EXISTS (SELECT 1 FROM events x WHERE x.reverses = e.id) AND {where}
"""


# 突击补录 (the backfill alerts, core.metrics.alerts): an event entered in the last BURST_DAYS
# days of its month, or more than LATE_DAYS after its date. ``event_months`` counts both per
# month (migration 11), so the alerts read 3 months' counts, not their 230k events (PostgreSQL
# at M: 0.3 s of the alerts' 0.55 s); a new threshold needs those columns counted again.
BURST_DAYS = 3
LATE_DAYS = 30


# A branch's month as the ``event_months`` rollup keys it (the first day).
def _month(alias: str) -> str:
    return f"CAST(date_trunc('month', {alias}.date) AS DATE)"


# The rollups kept by a rule over ``events e`` (their columns, the rule): the events that count,
# and those waiting for review
_RULED = (("effective_events", ROLLUP_COLUMNS, EFFECTIVE_RULE_SQL),
          ("pending_events", "event_id, branch_code, member_id, entered_at", PENDING_RULE_SQL))


def _refresh_effective(cur, where: str, params: list) -> None:
    """Bring ``effective_events`` and ``pending_events`` in line with their rules for the
    events ``where`` selects (over ``events e``), and count their months again. Drops the ones
    that left a rollup and adds the ones that came; a row that stays is left alone rather
    than deleted and re-inserted (DuckDB can trip its own primary key re-inserting a key
    deleted in the same transaction)."""
    for table, _, rule in _RULED:
        cur.execute(
            f"DELETE FROM {table} WHERE event_id IN (SELECT e.id FROM events e WHERE {where})"
            f" AND event_id NOT IN (SELECT id FROM ({rule.format(where=where)}) c)", params * 2).fetchall()
    _add_ruled(cur, where, params)
    _refresh_months(cur, where, params)


def _add_ruled(cur, where: str, params: list) -> None:
    """Add to ``_RULED``'s rollups the events ``where`` selects that their rules take.
    ON CONFLICT rather than an anti-join to the rollup: right after a bulk load PostgreSQL
    has no statistics, planned that anti-join as a nested loop over a sequential scan of the
    table being filled, and the demo's 100k-event refresh took 61 s (0.2 s this way)."""
    for table, columns, rule in _RULED:
        cur.execute(f"INSERT INTO {table}({columns}) SELECT * FROM ({rule.format(where=where)}) c"
                    " ON CONFLICT (event_id) DO NOTHING", params).fetchall()


def _refresh_months(cur, where: str, params: list) -> None:
    """Count again the (branch, month)s of the events ``where`` selects in ``event_months``
    (migration 10, ``_months_sql``) and the same months' members in ``member_months``
    (migration 11). Counted again from the ledger, not incremented, so a write applied twice
    cannot count twice.

    The keys are read first and passed back as the bounds of their branches and months:
    DuckDB scanned and joined the whole ledger for a key given as a subquery (1.4 s at M for
    one event's month, 20 ms this way: zone maps skip the other row groups). Every month of
    those branches within those bounds is counted again (``_MonthKeys``)."""
    keys = cur.execute(f"SELECT DISTINCT e.branch_code, {_month('e')} FROM events e WHERE {where}"
                       " ORDER BY 1, 2", params).fetchall()
    if not keys:
        return
    months = _MonthKeys(cur, keys)
    cur.execute(f"DELETE FROM event_months WHERE {months.bounds('event_months', 'month')}",
                months.month_params).fetchall()
    cur.execute(f"INSERT INTO event_months({', '.join(EVENT_MONTHS)}) "
                + _months_sql(months.bounds("e"), f" AND {months.bounds('f')}"),
                [BURST_DAYS, LATE_DAYS] + months.date_params * 2).fetchall()
    _recount_members(cur, months)


# ``event_months``' columns: its key, then its counts
EVENT_MONTHS = ("branch_code", "month", "item", "entries", "approved", "rejected", "counted", "counted_points",
                "counted_units", "burst", "late")


def _months_sql(where: str, bound: str = "") -> str:
    """``event_months``' rows (``EVENT_MONTHS``) of the events ``where`` selects (over
    ``events e``): per branch, month and item, the events by review state, reversals apart
    (what the coverage matrix and the branch table count), the ones that count
    (``effective_events``, refreshed first) with their points (monthly points), and those
    entered in the month's last days or late (the backfill alerts). Parameters: BURST_DAYS,
    LATE_DAYS, ``bound``'s, ``where``'s. ``bound`` narrows the join to the rollup: its rows
    carry their event's branch and date, so PostgreSQL reads the months' rows by its (branch,
    date) index, not the whole rollup."""
    following = f"CAST({_month('e')} + INTERVAL '1 month' AS DATE)"  # the first day of the next month
    return (
        f"SELECT e.branch_code, {_month('e')} AS month, e.item, count(*) AS entries,"
        " count(*) FILTER (WHERE r.decision = 'approved') AS approved,"
        " count(*) FILTER (WHERE r.decision = 'rejected') AS rejected, count(f.event_id) AS counted,"
        " sum(e.points * e.count) FILTER (WHERE f.event_id IS NOT NULL) AS counted_points,"
        " sum(e.count) FILTER (WHERE f.event_id IS NOT NULL AND e.points IS NULL) AS counted_units,"
        f" count(*) FILTER (WHERE CAST(e.entered_at AS DATE) BETWEEN {following} - ? AND {following} - 1) AS burst,"
        " count(*) FILTER (WHERE CAST(e.entered_at AS DATE) - e.date > ?) AS late"
        " FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id"
        f" LEFT JOIN effective_events f ON f.event_id = e.id{bound}"
        f" WHERE e.reverses IS NULL AND {where} GROUP BY e.branch_code, {_month('e')}, e.item")


def _merged(table: str, columns: tuple[str, ...], key: int, rows: str) -> str:
    """Add the counts of ``rows`` (``columns``, the first ``key`` of them the key) to
    ``table``: a new key is inserted, an existing one gets them added. A sum of no rows is
    NULL (``counted_points`` without a counted event with points): NULL on either side is the
    other side's, as counting both sides' rows together gives; a year's months are bits, OR'd.
    MERGE, not ``ON CONFLICT``: the rollups have no unique index on DuckDB (a recount deletes
    and inserts a key again in one transaction)."""
    def added(c: str) -> str:
        if c == "months":
            return f"{c} = t.{c} | s.{c}"
        return f"{c} = coalesce(t.{c} + s.{c}, t.{c}, s.{c})"
    on = " AND ".join(f"t.{c} = s.{c}" for c in columns[:key])
    return (f"MERGE INTO {table} t USING ({rows}) s ON {on}"
            f" WHEN MATCHED THEN UPDATE SET {', '.join(added(c) for c in columns[key:])}"
            f" WHEN NOT MATCHED THEN INSERT ({', '.join(columns)}) VALUES ({', '.join('s.' + c for c in columns)})")


def _add_months(cur, where: str, params: list) -> None:
    """``_refresh_months`` for new events only (an import batch, inserted in this transaction):
    their own counts are added to their months' rows, which hold the earlier events' counts,
    rather than every event of those months being counted again (PostgreSQL at M, a county's
    100k-event file: counting its branches' year again read and joined 879k events, 3.1 s for
    ``event_months``, 1.7 s for ``member_months`` and 0.85 s for ``member_years``). Nothing
    else changes those events in the transaction, so each is added once; the branches' rows
    are locked as a recount locks them, so a recount and an addition never cross."""
    branches = [b for b, in cur.execute(f"SELECT DISTINCT e.branch_code FROM events e WHERE {where} ORDER BY 1",
                                        params).fetchall()]
    if not branches:
        return
    lock_rows(cur, "orgs", branches, key="code", strength="NO KEY UPDATE")
    cur.execute(_merged("event_months", EVENT_MONTHS, 3, _months_sql(where)),
                [BURST_DAYS, LATE_DAYS] + params).fetchall()
    counting = _counting_sql(f"f.event_id IN (SELECT e.id FROM events e WHERE {where})")
    cur.execute(_merged("member_months", MEMBER_MONTHS, 3, _MEMBER_MONTHS_SQL.format(rows=counting)), params).fetchall()
    year = _YEAR.format(month="c.month")
    cur.execute(_merged("member_years", ("branch_code", "year", "member_id", "months"), 3,
                        f"SELECT c.branch_code, {year} AS year, c.member_id, {_MONTH_BITS.format(month='c.month')} AS months"
                        f" FROM ({counting}) c GROUP BY c.branch_code, {year}, c.member_id"), params).fetchall()


class _MonthKeys:
    """The (branch, month)s a recount covers, as bounds: their branches, and the months from
    the first to the last. Every month of those branches within them is counted again, a few
    more than the keys when they are scattered (branch A's January and B's March count A's
    and B's January to March); counted from the ledger, an untouched month comes out as it
    was. Joining the ledger to the keys themselves made PostgreSQL estimate a county-wide
    import's 879k rows at 33k and look up each row's review and rollup one at a time (4 s);
    filtering the counted rows by the keys instead, without statistics (a demo's bulk load),
    it tested each of a million rows against all 3,310 keys in turn for many minutes.

    The branches' rows in ``orgs`` are locked first: on PostgreSQL two writes to one branch's
    month then count one after the other, the second seeing the first's rows (read committed)."""

    def __init__(self, cur, keys: list[tuple[str, dt.date]]):
        self.keys = keys
        self.branches = sorted({k[0] for k in keys})
        months = [k[1] for k in keys]
        branches = [self.branches, self.branches[0], self.branches[-1]]
        self.date_params = branches + [min(months), month_end(max(months))]
        self.month_params = branches + [min(months), max(months)]
        lock_rows(cur, "orgs", self.branches, key="code", strength="NO KEY UPDATE")

    @staticmethod
    def bounds(alias: str, column: str = "date") -> str:
        """The keys' branches and dates (``date_params``) or months (``month_params``) as bounds
        on ``alias`` (what DuckDB's zone maps and PostgreSQL's (branch, date) indexes range over)."""
        return (f"{alias}.branch_code = ANY(?) AND {alias}.branch_code BETWEEN ? AND ?"
                f" AND {alias}.{column} BETWEEN ? AND ?")


# ``member_months``' rows of the (branch, month, member, events, present) rows ``rows`` gives
MEMBER_MONTHS = ("branch_code", "month", "member_id", "events", "present")
_MEMBER_MONTHS_SQL = (
    "SELECT m.branch_code, m.month, m.member_id, CAST(sum(m.events) AS BIGINT) AS events,"
    " CAST(sum(m.present) AS BIGINT) AS present FROM ({rows}) m GROUP BY m.branch_code, m.month, m.member_id")
# ``member_years``: a member's months of a year as bits (January = 1)
_YEAR = "CAST(extract(year FROM {month}) AS INTEGER)"
_MONTH_BITS = "CAST(bit_or(1 << CAST(extract(month FROM {month}) - 1 AS INTEGER)) AS INTEGER)"


def _counting_sql(where: str) -> str:
    """A member's part in ``member_months`` of each counting event ``where`` selects (over
    ``effective_events f``): one event in its branch's month."""
    return (f"SELECT f.branch_code, {_month('f')} AS month, f.member_id, 1 AS events, 0 AS present"
            f" FROM effective_events f WHERE {where}")


def _recount_members(cur, months: _MonthKeys) -> None:
    """Count again the months' ``member_months`` rows (migration 11): per branch, month and
    member, the counting events (``effective_events``, refreshed first) and the present
    attendances at the branch's activities. A month nothing is left for has no row."""
    cur.execute(f"DELETE FROM member_months WHERE {months.bounds('member_months', 'month')}",
                months.month_params).fetchall()
    attended = (f"SELECT a.branch_code, {_month('a')}, t.member_id, 0, 1 FROM activities a"
                f" JOIN attendance t ON t.activity_id = a.id WHERE t.status = 'present' AND {months.bounds('a')}")
    cur.execute(f"INSERT INTO member_months({', '.join(MEMBER_MONTHS)}) "
                + _MEMBER_MONTHS_SQL.format(rows=f"{_counting_sql(months.bounds('f'))} UNION ALL {attended}"),
                months.date_params * 2).fetchall()
    # and their years' rows in ``member_years``: each member's months of the year as bits
    years = sorted({(branch, month.year) for branch, month in months.keys})
    spans = "(SELECT unnest(?::VARCHAR[]) AS branch_code, unnest(?::INTEGER[]) AS year) y"
    span_params = [[y[0] for y in years], [y[1] for y in years]]
    cur.execute(f"DELETE FROM member_years WHERE EXISTS (SELECT 1 FROM {spans}"
                " WHERE y.branch_code = member_years.branch_code AND y.year = member_years.year)",
                span_params).fetchall()
    cur.execute(
        "INSERT INTO member_years(branch_code, year, member_id, months)"
        f" SELECT t.branch_code, y.year, t.member_id, {_MONTH_BITS.format(month='t.month')}"
        f" FROM {spans} JOIN member_months t ON t.branch_code = y.branch_code AND {_YEAR.format(month='t.month')} = y.year"
        " WHERE t.branch_code = ANY(?) AND t.month BETWEEN ? AND ? GROUP BY t.branch_code, y.year, t.member_id",
        span_params + [months.branches, dt.date(min(y[1] for y in years), 1, 1),
                       dt.date(max(y[1] for y in years), 12, 31)]).fetchall()


def count_attendance(cur, branch_code: str, day: dt.date) -> None:
    """The rollups' part of recording an activity's attendance, in its write: its branch's
    month in ``member_months`` is counted again (its present members took part)."""
    _recount_members(cur, _MonthKeys(cur, [(branch_code, day.replace(day=1))]))


def refresh_attendance_range(cur, first_id: int, last_id: int) -> None:
    """The set-based form for a bulk load of consecutive activity ids (the demo): their
    branches' months are counted again."""
    keys = cur.execute(f"SELECT DISTINCT a.branch_code, {_month('a')} FROM activities a WHERE a.id BETWEEN ? AND ?"
                       " ORDER BY 1, 2", [first_id, last_id]).fetchall()
    if keys:
        _recount_members(cur, _MonthKeys(cur, keys))


def count_entered(cur, event_id: int, branch_code: str, member_id: str, day: dt.date, item: str,
                  entered_at: dt.datetime) -> None:
    """The rollups' part of entering one event at ``entered_at``, in its write: it waits for
    review, and its (branch, month, item) has one more entry (in its month's last days, or
    late). What ``_refresh_effective`` would count again, as a step (PostgreSQL at M: counting
    the month again on every entry halved the entries a second). The branch's row is locked
    as there, so a recount and a step never cross."""
    lock_rows(cur, "orgs", [branch_code], key="code", strength="NO KEY UPDATE")
    cur.execute("INSERT INTO pending_events(event_id, branch_code, member_id, entered_at) VALUES (?, ?, ?, ?)",
                [event_id, branch_code, member_id, entered_at]).fetchall()
    entered = entered_at.date()
    next_month = month_end(day) + dt.timedelta(days=1)
    burst = int(next_month - dt.timedelta(days=BURST_DAYS) <= entered < next_month)
    late = int((entered - day).days > LATE_DAYS)
    key = [branch_code, day.replace(day=1), item]
    if not cur.execute("UPDATE event_months SET entries = entries + 1, burst = burst + ?, late = late + ?"
                       " WHERE branch_code = ? AND month = ? AND item = ?", [burst, late] + key).fetchall()[0][0]:
        cur.execute("INSERT INTO event_months(branch_code, month, item, entries, approved, rejected, counted, burst, late)"
                    " VALUES (?, ?, ?, 1, 0, 0, 0, ?, ?)", key + [burst, late]).fetchall()


def refresh_effective(cur, ids) -> None:
    """Called inside every write that changes whether ``ids`` count (a review, a reversal of
    one of them), in the same transaction, so the rollups (``effective_events``,
    ``pending_events``, ``event_months``) are never stale; a new entry calls
    ``count_entered``."""
    ids = sorted({int(i) for i in ids if i is not None})
    if ids:
        _refresh_effective(cur, "e.id = ANY(?)", [ids])


def refresh_effective_batch(cur, batch_id: int) -> None:
    """The set-based form for an import batch's events and what they became (its undo)."""
    _refresh_effective(cur, _BATCH, [batch_id])


def count_new_batch(cur, batch_id: int) -> None:
    """The set-based form for an import batch just written (its new events): nothing of them
    is in a rollup yet, so they are added, and their counts added to their months'
    (``_add_months``)."""
    _add_ruled(cur, _BATCH, [batch_id])
    _add_months(cur, _BATCH, [batch_id])


_BATCH = "e.import_batch = ? AND e.source = 'import'"  # an import batch's events


def refresh_effective_range(cur, first_id: int, last_id: int) -> None:
    """The set-based form for a bulk load of consecutive ids (the demo)."""
    _refresh_effective(cur, "e.id BETWEEN ? AND ?", [first_id, last_id])


# Status of an ``events e`` row left-joined to ``event_reviews r``.
STATUS_SQL = """CASE WHEN e.reverses IS NOT NULL THEN 'reversal'
  WHEN EXISTS (SELECT 1 FROM events x WHERE x.reverses = e.id) THEN 'reversed'
  ELSE coalesce(r.decision, 'entered') END"""
STATUS_NAMES = {"entered": "待审核", "approved": "已通过", "rejected": "已驳回", "reversed": "已撤销",
                "reversal": "撤销记录"}


def new_request_key() -> str:
    """One per form submission: a resubmission with the same key is recognised."""
    return uuid.uuid4().hex


# -- items ---------------------------------------------------------------------------

def item_points_text(item: Item) -> str:
    if item.is_range:
        return f"{fmt(item.min)}～{fmt(item.max)}分"
    unit = "/小时" if item.frequency == "per_unit" else ""
    return f"{signed(item.points)}分{unit}"


def item_label(item: Item) -> str:
    """'缺席三会一课（−2分）' — what the item picker and lists show."""
    return f"{item.name}（{item_points_text(item)}）"


def items_for(scheme: Scheme, kind: str) -> list[Item]:
    """Items a recorder may enter for a subject of ``kind`` (automatic items are the engine's)."""
    return [i for i in scheme.items.values() if kind in i.kinds and not i.automatic]


def check_item(scheme: Scheme, member: MemberRow, code: str, points, count, rating=None
               ) -> tuple[Item, Decimal | None, Decimal]:
    """Validate one event against the member's scheme; returns (item, points, count)."""
    item = scheme.items.get(code) if isinstance(code, str) else None
    if item is None:
        raise EntryError(f"方案「{scheme.name}」中没有项目 {code}")
    if member.kind not in item.kinds:
        raise EntryError(f"项目「{item.name}」不适用于{KIND_NAMES.get(member.kind, member.kind)}")
    if item.automatic:
        raise EntryError(f"项目「{item.name}」由系统自动计分，无需录入")
    if item.is_range:
        if points is None or points == "":
            raise EntryError(f"「{item.name}」需要填写分值（{item_points_text(item)}）")
        value = bounds.number(points, "分值")
        if not item.min <= value <= item.max:
            raise EntryError(f"「{item.name}」的分值应在 {item_points_text(item)} 之间，填写的是 {fmt(value)}")
    else:
        if points is not None and points != "":
            raise EntryError(f"「{item.name}」是固定分值（{item_points_text(item)}），不需要填写分值")
        value = None
    amount = bounds.count(count, "数量", whole=False)
    if item.frequency != "per_unit" and amount != amount.to_integral_value():
        raise EntryError(f"「{item.name}」按次计分，次数应为整数")
    if rating is not None and (not isinstance(rating, str) or rating not in RATINGS):
        raise EntryError(f"评价应为 {'/'.join(RATINGS)} 之一")
    return item, value, amount


# -- writes --------------------------------------------------------------------------

def existing_request(cur, request_key: str | None) -> int | None:
    if not request_key:
        return None
    row = cur.execute("SELECT id FROM events WHERE request_key = ? ORDER BY id LIMIT 1", [request_key]).fetchone()
    return row[0] if row else None


TWIN_SECONDS = 120


def recent_twin(cur, member_id: str, item: str, day: dt.date, points, count, note: str, entered_by: str) -> int | None:
    """An identical manual entry by the same person in the last two minutes: the same form
    submitted from a second tab, which carries its own request key."""
    row = cur.execute(
        "SELECT id FROM events WHERE member_id = ? AND item = ? AND date = ? AND points IS NOT DISTINCT FROM ?"
        " AND count = ? AND coalesce(note, '') = ? AND entered_by = ? AND source = 'manual' AND reverses IS NULL"
        f" AND entered_at >= CAST(current_timestamp AS TIMESTAMP) - INTERVAL '{TWIN_SECONDS} seconds'"
        " ORDER BY id DESC LIMIT 1",
        [member_id, item, day, points, count, note, entered_by]).fetchone()
    return row[0] if row else None


def insert_event(cur, member: MemberRow, item: str, day: dt.date, points, count, *, entered_by: str,
                 note: str | None = None, rating: str | None = None, activity_id: int | None = None,
                 reverses: int | None = None, source: str = "manual", request_key: str | None = None,
                 evidence: str | None = None) -> int:
    event_id, entered_at = cur.execute(
        "INSERT INTO events(member_id, branch_code, item, date, count, points, rating, note, activity_id,"
        " reverses, source, entered_by, request_key, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id, entered_at",
        [member.id, member.branch_code, item, day, count, points, rating, note or None, activity_id, reverses,
         source, entered_by, request_key, evidence],
    ).fetchone()
    if reverses is not None:
        refresh_effective(cur, [reverses])  # the reversed event stops counting in this transaction
    else:
        count_entered(cur, event_id, member.branch_code, member.id, day, item, entered_at)
    return event_id


def enter_event(store: Store, user, member_id: str, item: str, date: dt.date, points=None, count=1,
                note: str = "", request_key: str | None = None, rating: str | None = None,
                today: dt.date | None = None) -> int:
    """Record one point event (status 待审核) and return its id.

    A second call with the same ``request_key`` returns the first event's id and writes
    nothing: the check and the insert share one transaction under the write lock.
    """
    require(user, "enter")
    member_id = bounds.text(member_id, "成员编号", required=True, max_len=bounds.NAME_MAX, multiline=False)
    scope_for(store, user).check_member(store, member_id)
    return record_event(store, user, member_id, item, date, points, count, note, request_key, rating, today)


def record_event(store: Store, user, member_id: str, item: str, date: dt.date, points=None, count=1,
                 note: str = "", request_key: str | None = None, rating: str | None = None,
                 today: dt.date | None = None, *, source: str = "manual", evidence: str | None = None,
                 after_insert: Callable[[object, int], None] | None = None) -> int:
    """The one write path of a new event, for a caller that has already checked the user's
    right to it (``enter_event``: a recorder in scope; a volunteers' service log; a subject's
    own declaration). ``after_insert(cur, event_id)`` writes what the caller keeps beside the
    event (a service record's details) in the same transaction."""
    member = member_row(store, member_id)
    require_active(member)
    day = check_date(date, today)
    scheme, assignment = scheme_for(store, member.branch_code, day, track_of_kind(member.kind))
    entry, value, amount = check_item(scheme, member, item, points, count, rating)
    note = bounds.text(note, "备注")

    def work(cur) -> int:
        first = existing_request(cur, request_key)
        if first is not None:
            return first
        check_unlocked(cur, member.branch_code, day, track=track_of_kind(member.kind))
        twin = recent_twin(cur, member.id, entry.code, day, value, amount, note, user.username)
        if twin is not None:
            # On PostgreSQL each statement sees what committed before it began, so the same
            # request committed by another app process just after the key check above shows
            # up here as a twin: it is that request, answered with its id, not refused.
            first = existing_request(cur, request_key)
            if first is not None:
                return first
            raise EntryError(f"{member.name} {day:%Y-%m-%d}「{entry.name}」刚刚已录入过相同记录（编号 {twin}），"
                             "本次未保存；如确实发生了两次，请在备注中注明后再提交")
        event_id = insert_event(cur, member, entry.code, day, value, amount, entered_by=user.username, note=note,
                                rating=rating, request_key=request_key, source=source, evidence=evidence)
        if after_insert is not None:
            after_insert(cur, event_id)
        audit.record(cur, user.username, "event.enter", entity="event", entity_id=event_id,
                     org_code=member.branch_code, member_id=member.id,
                     after={"item": entry.code, "date": day, "points": value, "count": amount, "note": note,
                            "scheme": f"{scheme.id}@{assignment.scheme_version}",
                            **({"source": source} if source != "manual" else {})})
        return event_id

    return store.write(work)


def reverse_event(store: Store, user, event_id: int, reason: str = "", request_key: str | None = None) -> int:
    """撤销: append a reversal event linked to ``event_id``; returns the reversal's id.

    Refused for a reversal, an event already reversed, a rejected event (it never counted),
    and a date in a locked period. A recorder may undo only what is still 待审核; undoing
    an approved event is a reviewer's decision.

    Everything is judged by the event, not by the member: after a transfer the record still
    belongs to the branch that entered it, so that branch's scope and locks apply and the
    reversal is booked there. The checks run inside the write, after the event's row is
    locked, so an approval committed a moment earlier is seen (a recorder racing an approval
    would otherwise undo a record that had just been approved).
    """
    require(user, "enter")
    event_id = bounds.record_id(event_id)
    reason = bounds.text(reason, "撤销原因")
    found = store.one("SELECT member_id, branch_code FROM events WHERE id = ?", [event_id])
    if found is None:
        raise EntryError(f"未找到积分记录 {event_id}")
    member_id, event_branch = found
    scope_for(store, user).check_org(store, event_branch)
    member = replace(member_row(store, member_id), branch_code=event_branch)

    def work(cur) -> int:
        first = existing_request(cur, request_key)
        if first is not None:
            return first
        lock_rows(cur, "events", [event_id])
        item, day, points, count, reverses, decision = cur.execute(
            "SELECT e.item, e.date, e.points, e.count, e.reverses, r.decision"
            " FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id WHERE e.id = ?", [event_id]).fetchone()
        if reverses is not None:
            raise EntryError("这是一条撤销记录，不能再撤销；如需恢复请重新录入")
        if decision == "rejected":
            raise EntryError("该记录已被驳回，不计分，无需撤销")
        if decision == "approved" and not can(user.role, "review"):
            raise EntryError("该记录已审核通过，记分员不能撤销；请联系支部书记")
        if cur.execute("SELECT 1 FROM events WHERE reverses = ?", [event_id]).fetchone():
            raise EntryError("该记录已撤销，不能重复撤销")
        check_unlocked(cur, event_branch, day, track=track_of_kind(member.kind))
        new_id = insert_event(cur, member, item, day, points, count, entered_by=user.username,
                              note=reason or "撤销", reverses=event_id, source="reversal",
                              request_key=request_key)
        audit.record(cur, user.username, "event.reverse", entity="event", entity_id=event_id,
                     org_code=event_branch, member_id=member.id,
                     before={"status": decision or "entered"}, after={"reversal_id": new_id},
                     reason=reason or None)
        return new_id

    return store.write(work)


# -- reads ---------------------------------------------------------------------------

def effective_events(store: Store, *, branch_code: str | None = None, member_id: str | None = None,
                     start: dt.date | None = None, end: dt.date | None = None) -> pl.DataFrame:
    """Events that count (approved, not reversed, not a reversal), oldest first."""
    where, params = [], []
    for clause, value in (("branch_code = ?", branch_code), ("member_id = ?", member_id),
                          ("date >= ?", start), ("date <= ?", end)):
        if value is not None:
            where.append(clause)
            params.append(value)
    sql = (f"SELECT id, member_id, branch_code, item, date, count, points, rating, fraud, note, activity_id,"
           f" source, entered_by, entered_at FROM ({EFFECTIVE_EVENTS_SQL}) e"
           f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY date, id")
    return store.frame(sql, params)


def event_points(item: Item | None, points, count) -> Decimal | None:
    """What one event is worth before caps and bases: (entered or item points) × count."""
    base = points if points is not None else (item.points if item is not None else None)
    return None if base is None else Decimal(base) * Decimal(count)


def recent_entries(store: Store, user, *, member_id: str | None = None, limit: int = 10) -> list[dict]:
    """The latest events the user entered (or of one member), newest first, with status."""
    scope = scope_for(store, user)
    where, params = scope.sql("o")
    if member_id is not None:
        where += " AND e.member_id = ?"
        params.append(member_id)
    else:
        where += " AND e.entered_by = ?"
        params.append(user.username)
    rows = store.all(
        f"""SELECT e.id, e.date, e.member_id, m.name, e.branch_code, e.item, e.points, e.count, e.note,
                   {STATUS_SQL} AS status, r.reason, m.kind
            FROM events e JOIN members m ON m.id = e.member_id JOIN orgs o ON o.code = e.branch_code
            LEFT JOIN event_reviews r ON r.event_id = e.id
            WHERE {where} AND e.reverses IS NULL ORDER BY e.id DESC LIMIT ?""",
        params + [limit],
    )
    items, out = ItemLookup(store), []
    for event_id, day, mid, name, branch, code, points, count, note, status, reason, kind in rows:
        item = items.get(branch, day, code, kind)
        out.append({"id": event_id, "date": day, "member_id": mid, "member": name,
                    "item": item.name if item else code, "points": event_points(item, points, count),
                    "note": note or "", "status": status, "status_name": STATUS_NAMES[status],
                    "reason": reason or ""})
    return out


class ItemLookup:
    """Scheme items by (branch, date) for listing many events: one scheme lookup per
    distinct pair instead of one per row."""

    def __init__(self, store: Store):
        self.store = store
        self._schemes: dict[tuple[str, dt.date, str], Scheme] = {}

    def get(self, branch_code: str, day: dt.date, code: str, kind: str = "member") -> Item | None:
        """The item ``code`` of the scheme scoring subjects of ``kind`` (a household's item
        is its village scheme's)."""
        key = (branch_code, day, track_of_kind(kind))
        if key not in self._schemes:
            self._schemes[key] = scheme_for(self.store, branch_code, day, key[2])[0]
        return self._schemes[key].items.get(code)
