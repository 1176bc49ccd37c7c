"""每月评定/每月公布: one month tallied, published (公示), objected to and finalised (归档), with
the period-result rules (SCHEMES.md "Period results"): party-stars-10 grades its months (stars,
no grade), village-zhangji publishes months it does not grade (no grade, no stars)."""

import datetime as dt

from core.cycles import period_label
from core.services import finalise, objections, publicity, results
from core.services.ledger import enter_event
from core.services.review import approve
from core.scheme_assignments import assign_scheme
from tests import entry_world as ew

B = "C01T01B01"
PUBLISH, CLOSED = dt.date(2025, 10, 1), dt.date(2025, 10, 8)  # M9 (September) has ended; 7-day window
DIMENSIONS = ["理论学习", "执行政策", "服务群众", "爱岗敬业", "遵纪守法", "文明形象", "业务能力", "求实创新", "承诺守信", "清正廉洁"]


def _publish_object_finalise(store, track: str, member: str) -> dict:
    """Open September's 公示, file and answer an objection, finalise after the window: the
    finalised snapshot's output."""
    pid = publicity.open_publicity(store, ew.SECRETARY, B, 2025, "M9", PUBLISH, PUBLISH + dt.timedelta(days=6),
                                   today=PUBLISH, track=track)
    oid = objections.file_objection(store, ew.SECRETARY, pid, member, "群众", "九月得分有疑问", today=dt.date(2025, 10, 2))
    objections.resolve_objection(store, ew.SECRETARY, oid, "经核实无误", "维持原结果", today=dt.date(2025, 10, 3))
    pub = publicity.get_publicity(store, pid)
    assert finalise.finalise_blockers(store, pub, dt.date(2025, 10, 7)) == [
        "公示期到 2025-10-07 结束，2025-10-08 起才能归档"]
    finalise.finalise(store, ew.SECRETARY, pid, today=CLOSED)
    lock = store.one("SELECT period, start_date, end_date, coalesce(track, 'party') FROM period_locks"
                     " WHERE publicity_id = ?", [pid])
    assert lock == ("M9", dt.date(2025, 9, 1), dt.date(2025, 9, 30), track)
    assert pub.label == "2025年度（2025-01-01至2025-12-31）2025年9月"
    return publicity.get_publicity(store, pid).snapshot


def test_party_stars_10_month_is_graded_with_stars_and_no_grade(store):
    ew.build(store, "party-stars-10")
    store.write(lambda cur: cur.execute("UPDATE members SET category = '机关'").fetchall())
    for i, dim in enumerate(DIMENSIONS):  # 9月评定: M01 every dimension, M02 the first 6
        for member, value in (("M01", 1), ("M02", 1 if i < 6 else 0)):
            store.write(lambda cur, m=member, d=dim, v=value: cur.execute(
                "INSERT INTO scores(member_id, branch_code, cycle, component, period, value, entered_by)"
                " VALUES (?, ?, 2025, ?, 'M9', ?, 'shuji01')", [m, B, d, v]).fetchall())
    snap = _publish_object_finalise(store, "party", "M02")
    assert snap["period"] == "M9" and snap["graded"] is True
    rows = {r["subject"]: r for r in snap["results"]}
    # M9 is in graded_periods: the month's stars (10 and 6 dimensions at 1), but the grade
    # (优秀 ≥ 9 …) is the cycle's only; report_up at 9 stars and more is a per-period flag.
    assert (rows["M01"]["stars"], rows["M01"]["grade"], rows["M01"]["rank"]) == (10, None, 1)
    assert (rows["M02"]["stars"], rows["M02"]["grade"], rows["M02"]["rank"]) == (6, None, 2)
    assert "report_up" in rows["M01"]["flags"] and "report_up" not in rows["M02"]["flags"]


def test_village_zhangji_month_is_published_without_a_grade(store):
    ew.build(store)
    store.write(lambda cur: cur.execute(
        "INSERT INTO members(id, name, branch_code, status, kind, initials) VALUES"
        " ('R01', '周一', ?, 'active', 'resident', 'zy'), ('R02', '吴二', ?, 'active', 'resident', 'we')", [B, B]).fetchall())
    assign_scheme(store, ew.TOWNSHIP, B, "village-zhangji", dt.date(2025, 1, 1), reason="试点村")
    # September: R01 调处纠纷 15 + 协助处理群体性事件 15 = 30; R02 举报封建迷信 5; each with the
    # base of 100 (once a cycle, automatic) → to date R01 130, R02 105.
    for member, item, day in (("R01", "mediate_dispute", 5), ("R01", "mass_incident_help", 12),
                              ("R02", "report_superstition", 20)):
        approve(store, ew.SECRETARY, [enter_event(store, ew.SECRETARY, member, item, dt.date(2025, 9, day), today=PUBLISH)])
    scheme, live, _ = results.live_output(store, B, 2025, "M9", PUBLISH, "village")
    assert "M9" not in scheme.graded_periods and period_label(scheme, 2025, "M9").endswith("2025年9月")
    snap = _publish_object_finalise(store, "village", "R02")
    assert snap["graded"] is False
    rows = {r["subject"]: r for r in snap["results"]}
    # not graded: no grade, no stars, nothing annual; the to-date totals rank the month
    assert {s: (r["grade"], r["stars"], r["total"], r["rank"]) for s, r in rows.items()} == {
        "R01": (None, None, 130, 1), "R02": (None, None, 105, 2)}
