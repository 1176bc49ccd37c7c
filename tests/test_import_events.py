"""积分记录 import: a branch's past ledger in, approved, all or nothing, once, undoable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core import imports
from core.imports import ImportRefused
from core.services import ledger, review
from tests.entry_world import RECORDER, SECRETARY, TODAY, lock, world  # noqa: F401
from tests.import_files import LEDGER_TITLE, csv, ledger_file, xlsx


def effective(store):
    return store.all("SELECT e.member_id, e.item, e.date, e.points, e.source, e.evidence, r.decision, r.reviewed_by"
                     " FROM events e JOIN event_reviews r ON r.event_id = e.id ORDER BY e.date, e.member_id")


def test_a_messy_ledger_imports_approved_with_the_batch_as_evidence(world):
    p = imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx", "C01T01B01", today=TODAY)
    assert p.ok, p.errors.rows()
    assert (p.rows, p.added, p.updated, p.unchanged) == (4, 4, 0, 0)
    assert p.extra_columns == ["经办人"]
    assert p.header_rows == (2, 3)
    assert world.scalar("SELECT count(*) FROM events") == 0  # nothing written by the preview
    batch = imports.commit(world, SECRETARY, p, today=TODAY)
    rows = effective(world)
    evidence = f"导入批次 {batch}：台账.xlsx"
    # the fixed item's written −2 is the item's own value, so it is not stored as an entered value
    assert rows == [
        ("M01", "miss_meeting", dt.date(2025, 7, 1), None, "import", evidence, "approved", "shuji01"),
        ("M02", "reward_other", dt.date(2025, 8, 3), Decimal("5.00"), "import", evidence, "approved", "shuji01"),
        ("M03", "reward_other", dt.date(2025, 8, 31), Decimal("3.00"), "import", evidence, "approved", "shuji01"),
        ("M02", "late_dues", dt.date(2025, 10, 10), None, "import", evidence, "approved", "shuji01"),
    ]
    assert world.one("SELECT kind, file_name, org_code, username, counts FROM import_batches WHERE id = ?",
                     [batch]) == (
        "events", "台账.xlsx", "C01T01B01", "shuji01", '{"rows": 4, "added": 4, "updated": 0, "unchanged": 0}')


def test_the_same_ledger_again_adds_nothing_and_says_so(world):
    first = imports.commit(world, SECRETARY, imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx",
                                                              "C01T01B01", today=TODAY), today=TODAY)
    again = imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx", "C01T01B01", today=TODAY)
    assert again.already["id"] == first and again.added == 0 and again.unchanged == 4
    assert "不会重复添加" in again.summary()
    assert imports.commit(world, SECRETARY, again, today=TODAY) is None
    assert world.scalar("SELECT count(*) FROM events") == 4
    # the same rows in another file (a copy saved as CSV) are recognised row by row
    copy = csv(["姓名,项目,日期,分值", "张三,缺席三会一课,2025-07-01,", "李四,reward_other,2025-08-03,5"])
    p = imports.preview(world, SECRETARY, "events", copy, "copy.csv", "C01T01B01", today=TODAY)
    assert (p.added, p.unchanged) == (0, 2)


def test_a_row_equal_to_a_pending_entry_is_unchanged_and_to_a_rejected_one_is_added(world):
    # the recorder typed two of the ledger's rows by hand: 李四's reward_other 5 on 2025-08-03
    # and 王五's 3 on 2025-08-31; the secretary rejects the second before the ledger comes in
    kept = ledger.enter_event(world, RECORDER, "M02", "reward_other", dt.date(2025, 8, 3), Decimal(5), today=TODAY)
    dropped = ledger.enter_event(world, RECORDER, "M03", "reward_other", dt.date(2025, 8, 31), Decimal(3), today=TODAY)
    assert kept and review.reject(world, SECRETARY, [dropped], "重复") == 1
    p = imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx", "C01T01B01", today=TODAY)
    # 4 rows: 李四's is already in force (awaiting review), 王五's was rejected and counts again
    assert (p.rows, p.added, p.unchanged) == (4, 3, 1)


def test_a_bad_ledger_is_refused_whole_with_row_numbered_errors(world):
    bad = csv([
        LEDGER_TITLE,
        "姓名,积分项目,日期,分值",
        "张三,缺席三会一课,2025.7.1,",        # row 3: fine
        "赵六,缺席三会一课,2025.7.2,",        # row 4: exempt
        "周九,缺席三会一课,2025.7.2,",        # row 5: nobody of that name
        "李四,打扫卫生,2025.7.3,",            # row 6: no such item
        "王五,reward_other,2025.7.4,12",      # row 7: range 1～10
        "王五,reward_other,2025.7.5,",        # row 8: range item needs a value
        "张三,缺席三会一课,2025-13-01,",       # row 9: no date
        "张三,缺席三会一课,2025.12.1,",        # row 10: after today (2025-11-20)
        "张三,缺席三会一课,2025.7.1,",        # row 11: repeats row 3
    ])
    p = imports.preview(world, SECRETARY, "events", bad, "bad.csv", "C01T01B01", today=TODAY)
    assert not p.ok
    got = {(row, column): problem for row, column, problem in p.errors.iter_rows()}
    assert sorted(row for row, _ in got) == [4, 5, 6, 7, 8, 9, 10, 11]
    assert "免于评星" in got[(4, "姓名")]
    assert got[(5, "姓名")] == "本支部没有名为「周九」的人员"
    assert "没有项目「打扫卫生」" in got[(6, "积分项目")]
    assert "1～10分" in got[(7, "分值")] and "12" in got[(7, "分值")]
    assert "需要填写分值" in got[(8, "分值")]
    assert "不是日期" in got[(9, "日期")]
    assert "今天之后" in got[(10, "日期")]
    assert got[(11, "姓名")].startswith("与第 3 行")
    with pytest.raises(ImportRefused):
        imports.commit(world, SECRETARY, p, today=TODAY)
    assert world.scalar("SELECT count(*) FROM events") == 0
    report = p.error_report()
    assert report[:2] == b"PK"  # an .xlsx


def test_a_locked_period_refuses_its_rows(world):
    lock(world, "C01T01B01", 2025, "Q1", dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    p = imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx", "C01T01B01", today=TODAY)
    # rows 4-6 fall in Q1 (Jul–Sep), row 7 (2025-10-10) does not
    assert sorted(set(p.errors["行号"].to_list())) == [4, 5, 6]
    assert all("已确认归档" in m for m in p.errors["问题"].to_list())


def test_undo_reverses_every_event_while_the_period_is_open(world):
    p = imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx", "C01T01B01", today=TODAY)
    batch = imports.commit(world, SECRETARY, p, today=TODAY)
    assert imports.undo(world, SECRETARY, batch) == {"reversed": 4}
    reversals = world.all("SELECT reverses, source, note FROM events WHERE reverses IS NOT NULL ORDER BY reverses")
    assert [r[1:] for r in reversals] == [("reversal", f"撤销导入批次 {batch}")] * 4
    counting = world.scalar("SELECT count(*) FROM events e JOIN event_reviews r ON r.event_id = e.id"
                            " WHERE r.decision = 'approved' AND NOT EXISTS"
                            " (SELECT 1 FROM events x WHERE x.reverses = e.id)")
    assert counting == 0
    assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'import.undo'") == 1
    with pytest.raises(ImportRefused, match="已于"):
        imports.undo(world, SECRETARY, batch)
    # undone, the same file may come in again
    assert imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx", "C01T01B01", today=TODAY).added == 4


def test_undo_is_refused_once_a_period_is_locked(world):
    batch = imports.commit(world, SECRETARY, imports.preview(world, SECRETARY, "events", ledger_file(), "台账.xlsx",
                                                              "C01T01B01", today=TODAY), today=TODAY)
    lock(world, "C01T01B01", 2025, "Q1", dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    with pytest.raises(Exception, match="已确认归档"):
        imports.undo(world, SECRETARY, batch)
    assert world.scalar("SELECT count(*) FROM events WHERE reverses IS NOT NULL") == 0


def _daily_ledger(first: dt.date, last: dt.date) -> bytes:
    """张三, 李四 and 王五 each given reward_other 1 on every day from ``first`` to ``last``."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return csv(["姓名,项目,日期,分值", *(f"{name},reward_other,{day.isoformat()},1" for day in days
                                        for name in ("张三", "李四", "王五"))])


def test_a_bulk_import_analyses_the_tables_it_wrote_that_it_changed_enough(world, monkeypatch):
    # An import of BULK_ROWS rows or more analyses what it wrote (PostgreSQL; DuckDB keeps its
    # statistics as it writes): of the ledger, its reviews and the rollups kept from them (no
    # other table: every table cost a county-wide import 1.2-2.4 s), the ones autovacuum's rule
    # would pick, at once: a table never analysed, or one whose rows written are more than
    # autovacuum_analyze_threshold (50) + autovacuum_analyze_scale_factor (0.1) × its rows as
    # last counted. The first ledger: 3 members × 123 days (07-01 to 10-31) = 369 events.
    monkeypatch.setattr(imports, "BULK_ROWS", 50)
    analysed = []
    for first, last, name in ((dt.date(2025, 7, 1), dt.date(2025, 10, 31), "上半.csv"),
                              (dt.date(2025, 11, 1), dt.date(2025, 11, 19), "十一月.csv")):
        if world.backend == "postgres":
            counts = dict(world.all("SELECT relname, analyze_count FROM pg_stat_user_tables"))
        p = imports.preview(world, SECRETARY, "events", _daily_ledger(first, last), name, "C01T01B01", today=TODAY)
        assert p.ok, p.errors.rows()
        imports.commit(world, SECRETARY, p, today=TODAY)
        if world.backend == "postgres":
            analysed.append({table for table, n in world.all("SELECT relname, analyze_count FROM pg_stat_user_tables")
                             if n > counts[table]})
    assert world.scalar("SELECT count(*) FROM effective_events") == 369 + 57  # November: 3 × 19 days
    if world.backend != "postgres":
        return
    # 369 rows: the ledger and its reviews never analysed, the rollups analysed empty by their
    # migrations (369 > 50 + 0.1 × 0)
    assert analysed[0] == {"events", "event_reviews", "effective_events", "pending_events", "event_months",
                           "member_months", "member_years"}
    # 57 rows: not over 50 + 0.1 × 369 = 86.9 for the ledger, its reviews and the effective
    # events; over 50 + 0.1 × (4 months × 1 item = 4) for event_months, 50 + 0.1 × (3 members ×
    # 4 months = 12) for member_months, 50 + 0.1 × 3 for member_years and 50 + 0 for
    # pending_events (every imported event is approved)
    assert analysed[1] == {"event_months", "member_months", "member_years", "pending_events"}
