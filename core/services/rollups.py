"""The ledger's rollups: which events count, and the tables kept from the ledger in each
write's own transaction (migrations 7, 10 and 11), never a cache.

``effective_events`` (the events that count) and ``pending_events`` (those waiting for
review) follow their rules (``EFFECTIVE_RULE_SQL``, ``PENDING_RULE_SQL``); ``event_months``,
``member_months`` and ``member_years`` count them per branch and month. A review, a reversal
or an import's undo counts the touched months again (``refresh_effective``), an import's new
events are added (``count_new_batch``), an entry steps them (``count_entered``) and an
attendance counts its month's members again (``count_attendance``).
"""

from __future__ import annotations

import datetime as dt

from core.cycles import month_end
from core.store.locks import lock_rows

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
    # the batch's (branch, month, member) counts, found once for both member rollups (each
    # finding them again cost PostgreSQL at M 0.35 s of a 100k import: 99k rollup lookups, a
    # sort); a temporary table of the write's connection, gone with its transaction if it fails
    counting = _counting_sql(f"f.event_id IN (SELECT e.id FROM events e WHERE {where})")
    cur.execute(f"CREATE TEMP TABLE batch_member_months AS {_MEMBER_MONTHS_SQL.format(rows=counting)}",
                params).fetchall()
    cur.execute(_merged("member_months", MEMBER_MONTHS, 3, "SELECT * FROM batch_member_months")).fetchall()
    year = _YEAR.format(month="c.month")
    cur.execute(_merged("member_years", ("branch_code", "year", "member_id", "months"), 3,
                        f"SELECT c.branch_code, {year} AS year, c.member_id, {_MONTH_BITS.format(month='c.month')} AS months"
                        f" FROM batch_member_months c GROUP BY c.branch_code, {year}, c.member_id")).fetchall()
    cur.execute("DROP TABLE batch_member_months").fetchall()


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
