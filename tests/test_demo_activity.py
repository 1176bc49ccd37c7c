"""The demo's activity data: deterministic, at the DESIGN.md volume, valid for every branch's
scheme, in realistic proportions, and with one branch for each township alert."""

import datetime as dt
import json
import random
from pathlib import Path

import polars as pl
import pytest

from core import demo
from core.auth.scope import Scope
from core.cycles import cycle_of
from core.demo import ledger
from core.demo import members as demo_members
from core.demo import orgs as demo_orgs
from core.demo.plan import DEMO_BRANCH, SPECIALS, category_vocabularies, data_start, scheme_for_kind
from core.metrics import alerts, scores
from core.metrics.filters import default_filter
from core.scheme import load_scheme
from core.scheme.loader import load_scheme_text
from core.scheme_assignments import scheme_for, track_of_kind
from core.store import Store
from tests.conftest import DEMO_TODAY

ROOT = Path(__file__).resolve().parents[1]

# Determinism is proven elsewhere, once: a second S demo equals the session's, table by table
# (test_demo.py::test_same_seed_gives_same_data), and the DuckDB and PostgreSQL demos of one seed
# hold the same rows (test_stores_agree.py).


def test_volumes_are_in_the_design_range(demo_store):
    counts = dict(demo_store.all(
        "SELECT 'events', count(*) FROM events UNION ALL SELECT 'attendance', count(*) FROM attendance"
        " UNION ALL SELECT 'scores', count(*) FROM scores UNION ALL SELECT 'activities', count(*) FROM activities"
        " UNION ALL SELECT 'vetoes', count(*) FROM vetoes UNION ALL SELECT 'history', count(*) FROM cycle_history"))
    assert 80_000 <= counts["events"] <= 130_000  # S: ~100k over 2 cycles
    assert counts["attendance"] > 20_000 and counts["activities"] > 1_000
    assert counts["scores"] > 1_000 and counts["history"] > 500 and counts["vetoes"] >= 1
    # the party members' stream covers the two cycles from 07-01 (2025-07-01 on 2026-12-01; a
    # cycle earlier in the month after one ends: plan.data_start); the 党员义工工作站's
    # volunteer-stars records start with its previous (calendar-year) cycle
    first, last = demo_store.one("SELECT min(e.date), max(e.date) FROM events e JOIN members m ON m.id = e.member_id"
                                 " WHERE m.kind = 'member'")
    assert first == data_start("S", DEMO_TODAY) and last <= DEMO_TODAY


def test_every_event_item_exists_in_its_branch_scheme(demo_store):
    # an item is looked up in the scheme of the subject's track (a village's households enter
    # village-4class items beside its members' party items)
    rows = demo_store.all(
        "SELECT e.branch_code, m.kind, e.item, count(*), count(e.points), min(e.points), max(e.points)"
        " FROM events e JOIN members m ON m.id = e.member_id"
        " WHERE e.source IN ('manual', 'attendance') GROUP BY e.branch_code, m.kind, e.item")
    for branch, kind, code, n, with_points, low, high in rows:
        scheme, _ = scheme_for(demo_store, branch, DEMO_TODAY, track_of_kind(kind))
        item = scheme.items.get(code)
        assert item is not None and kind in item.kinds, (branch, kind, code)
        if item.is_range:
            assert with_points == n and min(item.min, item.max) <= low <= high <= max(item.min, item.max), (branch, code)
        else:
            assert with_points == 0, (branch, code)


def test_entered_scores_match_the_scheme_inputs(demo_store):
    for branch, component, period, grade in demo_store.all(
            "SELECT DISTINCT branch_code, component, period, grade FROM scores"):
        scheme, _ = scheme_for(demo_store, branch, DEMO_TODAY)
        assert component in scheme.components and period in scheme.components[component].periods
        if grade is not None:
            assert grade in scheme.components[component].grades


def test_branch_kinds_get_their_schemes(demo_store):
    kinds = {}
    # the party scheme of branches with party members (the 党员义工工作站 has volunteers only)
    for code, kind in demo_store.all("SELECT code, kind FROM orgs o WHERE level = 'branch' AND EXISTS"
                                     " (SELECT 1 FROM members m WHERE m.branch_code = o.code AND m.kind = 'member')"):
        kinds.setdefault(kind, set()).add(scheme_for(demo_store, code, DEMO_TODAY)[0].id)
    # S is one town: its communities, 机关 and enterprise run party-votes-80-20 (their logged
    # activities are the demo's everyday stream); villages keep the township's scheme or 3type
    assert kinds["school"] == {"party-stars-5x20"}
    assert kinds["community"] == kinds["机关"] == kinds["enterprise"] == {"party-votes-80-20"}
    assert kinds["village"] == {"party-q100-3to1", "party-village-3type"}
    assert scheme_for(demo_store, DEMO_BRANCH, DEMO_TODAY)[0].id == "party-q100-3to1"  # shuji01's branch


def test_a_street_keeps_the_other_templates():
    # branch number mod 3 shares a street's communities: 3 → 0, 4 → 1, 5 → 2
    assert [scheme_for_kind("community", "street", n) for n in (3, 4, 5)] == [
        "party-vanguard-8to2", "party-street-3class", "party-votes-80-20"]
    assert scheme_for_kind("机关", "street", 18) == "party-stars-10"
    assert scheme_for_kind("enterprise", "street", 20) == "party-stars-quota"
    assert scheme_for_kind("village", "town", 6) == "party-village-3type"  # 6 mod 4 = 2
    assert scheme_for_kind("village", "town", 7) == "party-q100-3to1"


def test_members_have_categories_their_scheme_knows(demo_store):
    seen = set()
    for branch, category in demo_store.all(
            "SELECT DISTINCT branch_code, category FROM members WHERE kind = 'member'"):
        scheme, _ = scheme_for(demo_store, branch, DEMO_TODAY)
        if scheme.subject_categories:
            assert category in scheme.subject_categories, (branch, category)
        if scheme.id == "party-votes-80-20":
            seen.add(category)
    # communities: a 书记, 两委, the 在职 members who report in; the 机关 and enterprise branches
    assert {"社区-书记", "社区-两委", "社区-支部成员", "社区-普通", "在职", "机关-领导班子", "机关-普通",
            "非公-班子成员", "非公-普通"} <= seen
    # each community branch has exactly one 书记 (the first 骨干 of the branch)
    assert set(demo_store.all("SELECT count(*) FROM members WHERE category = '社区-书记' GROUP BY branch_code")) == {(1,)}
    # 在职 is the community member with a work unit (who reports in), never anyone else
    assert demo_store.scalar("SELECT count(*) FROM members WHERE category = '在职' AND department IS NULL") == 0


def test_a_transfer_comes_from_a_branch_whose_scheme_takes_the_category():
    # At size M a street's party-street-3class communities (骨干类/普通类/流动类) sit beside
    # party-votes-80-20 ones (社区-普通, ...): a member who moved between them would be refused
    # by the earlier branch's evaluation. Checked on the M organisation, without its activity.
    rng = random.Random("2026-M")
    orgs = demo_orgs.build(rng, "M")
    vocabularies = category_vocabularies(orgs)
    members, history = demo_members.build(rng, orgs, demo_orgs.SIZES["M"][3], DEMO_TODAY, vocabularies)
    category = {m["id"]: m["category"] for m in members}
    current = {m["id"]: m["branch_code"] for m in members}
    earlier = [(h["branch_code"], category[h["member_id"]]) for h in history if h["branch_code"] != current[h["member_id"]]]
    assert len(earlier) > 100
    for branch, cat in earlier:
        assert vocabularies[branch] is None or cat in vocabularies[branch], (branch, cat)
    for m in members:
        assert vocabularies[m["branch_code"]] is None or m["category"] in vocabularies[m["branch_code"]]


def test_ballots_use_the_scheme_levels(demo_store):
    rows = demo_store.all("SELECT branch_code, component, votes FROM scores WHERE votes IS NOT NULL")
    assert len(rows) > 100
    for branch, component, votes in rows:
        scheme, _ = scheme_for(demo_store, branch, DEMO_TODAY)
        entered = {e.id: e for e in scheme.entered_components()}[component]
        tally = json.loads(votes)
        assert list(tally) == entered.vote_levels and sum(tally.values()) == 20  # 20 ballots each


def test_everyday_items_are_picked_by_rule():
    votes = load_scheme("party-votes-80-20")
    routine = ledger._routine(votes)
    # the ten activities counted toward minimums (0 points each), not the requirement breaches
    assert set(routine) == {code for ind in votes.minimums.indicators.values() for code in ind.items}
    assert ledger._breaches(votes) == {"dues_unpaid", "task_undone", "job_undone"}
    # weighted by the records the largest minimum takes: 走访 150 人次 (社区-书记) at 3 人次 a
    # record = 50, 组织生活 12 次 (机关) = 12, 结对困难 1 户 = 1
    assert (routine["visit"], routine["org_life"], routine["pair_poor"]) == (50, 12, 1)
    assert ledger._per_record(votes) == {"visit": 3}  # the only minimum of 20 or more
    # party-q100-3to1: daily items are deductions only; its +1 article is an honour of the reward component
    assert ledger._routine(load_scheme("party-q100-3to1")) == {}
    # a one-point award of a scheme's first items component is everyday again, whatever its name
    text = (ROOT / "data/schemes/party-q100-3to1.toml").read_text(encoding="utf-8") + (
        '\n[items.help_out]\nname = "帮扶群众"\ncomponent = "daily"\ncategory = "daily"\npoints = 1\n')
    assert ledger._routine(load_scheme_text(text, "test.toml")) == {"help_out": 1.0}


def test_the_everyday_stream_is_the_counted_activities(demo_store):
    counted = {code for ind in load_scheme("party-votes-80-20").minimums.indicators.values() for code in ind.items}
    by_scheme = {}
    for branch, item, n in demo_store.all(
            "SELECT e.branch_code, e.item, count(*) FROM events e JOIN members m ON m.id = e.member_id"
            " WHERE e.source = 'manual' AND e.reverses IS NULL AND m.kind = 'member' GROUP BY e.branch_code, e.item"):
        scheme = scheme_for(demo_store, branch, DEMO_TODAY)[0].id
        total, routine = by_scheme.get(scheme, (0, 0))
        by_scheme[scheme] = (total + n, routine + (n if item in counted else 0))
    total, routine = by_scheme["party-votes-80-20"]
    assert routine / total > 0.95
    # a party member's 走访 record counts 1–5 人次; every other one counts one (a volunteer's
    # service counts its hours)
    counts = {item: (low, high) for item, low, high in demo_store.all(
        "SELECT e.item = 'visit', min(e.count), max(e.count) FROM events e JOIN members m ON m.id = e.member_id"
        " WHERE m.kind = 'member' GROUP BY e.item = 'visit'")}
    assert counts == {True: (1, 5), False: (1, 1)}
    # and it is most of the demo: the other schemes' hand entries are deductions and honours
    assert total > sum(t for s, (t, _) in by_scheme.items() if s != "party-votes-80-20")


def test_grades_spread_in_the_last_finished_cycle(demo_store):
    branches, schemes = {}, {}
    for code, in demo_store.all("SELECT code FROM orgs WHERE level = 'branch' ORDER BY code"):
        scheme, _ = scheme_for(demo_store, code, DEMO_TODAY)
        schemes[scheme.id] = scheme
        branches.setdefault(scheme.id, []).append(code)
    for scheme_id, codes in branches.items():
        scheme = schemes[scheme_id]
        if not scheme.grade_names or scheme.grade_basis == "stars":
            continue
        res, _ = scores.results(demo_store, codes, cycle_of(scheme.cycle_start, DEMO_TODAY) - 1, DEMO_TODAY)
        grades = res.filter(pl.col("grade").is_not_null())["grade"]
        best = (grades == scheme.grade_names[0]).mean()
        # some members reach the best grade, most do not all: 优秀 is earned, not the default
        assert 0.05 < best < 0.8 and grades.n_unique() >= 2, (scheme.id, grades.value_counts())


def test_review_and_attendance_proportions(demo_store):
    old, approved, rejected, unreasoned = demo_store.one(
        "SELECT count(*), count(*) FILTER (WHERE r.decision = 'approved'), count(*) FILTER (WHERE r.decision = 'rejected'),"
        " count(*) FILTER (WHERE r.decision = 'rejected' AND r.reason IS NULL)"
        " FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id"
        " WHERE e.reverses IS NULL AND e.entered_at < ? AND e.source IN ('manual', 'attendance')",
        [DEMO_TODAY - dt.timedelta(days=30)])
    assert approved / old > 0.95 and 0.005 < rejected / old < 0.05 and unreasoned == 0
    recent_pending = demo_store.scalar(
        "SELECT count(*) FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id"
        " WHERE r.event_id IS NULL AND e.reverses IS NULL AND e.entered_at >= ?", [DEMO_TODAY - dt.timedelta(days=14)])
    assert recent_pending > 100
    assert demo_store.scalar("SELECT count(*) FROM events WHERE reverses IS NOT NULL") > 10
    present = demo_store.scalar(
        "SELECT avg((t.status = 'present')::INT) FROM attendance t JOIN activities a ON a.id = t.activity_id"
        " WHERE a.type IN ('主题党日', '党小组会', '支部党员大会', '党课')")
    assert 0.85 <= present <= 0.96
    assert demo_store.scalar("SELECT count(*) FROM attendance WHERE status = 'leave'") > 100


def _month_end(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1) - dt.timedelta(days=1)


@pytest.mark.parametrize("suffix", sorted(SPECIALS))
def test_each_alert_has_a_branch_that_triggers_it(demo_store, suffix):
    branch = f"C01T01{suffix}"
    special = SPECIALS[suffix]
    if special == "stale":
        assert demo_store.scalar("SELECT max(entered_at) FROM events WHERE branch_code = ?", [branch]) \
            < dt.datetime.combine(DEMO_TODAY - dt.timedelta(days=60), dt.time())
    elif special == "spike":
        # entered in the last three days of the event's month, for months that have ended
        rows = [(entered.date(), _month_end(day)) for entered, day in demo_store.all(
            "SELECT entered_at, date FROM events WHERE branch_code = ? AND source = 'manual'", [branch])]
        ended = [(entered, end) for entered, end in rows if end < DEMO_TODAY]
        share = sum(entered >= end - dt.timedelta(days=2) for entered, end in ended) / len(ended)
        assert share > 0.9
    else:
        assert demo_store.scalar(
            "SELECT count(DISTINCT status) FROM attendance t JOIN activities a ON a.id = t.activity_id"
            " WHERE a.branch_code = ?", [branch]) == 1


def test_report_in_data_for_in_service_members(demo_store):
    members, reported = demo_store.one(
        "SELECT count(DISTINCT m.id), count(DISTINCT t.member_id) FROM members m"
        " LEFT JOIN attendance t ON t.member_id = m.id AND t.activity_id IN (SELECT id FROM activities WHERE type = '社区报到')"
        " WHERE m.department IS NOT NULL AND m.status = 'active'")
    assert members > 0 and 0.6 < reported / members < 1.0


def test_on_a_months_first_day_the_demo_holds_one_days_entries_and_every_alert(tmp_path):
    # Each month's events are drawn over its whole calendar and the days after today dropped,
    # so the running month holds its share so far. Drawn over the days gone by, on the 1st a
    # month's events fell on that one day (2026-12-01: 6,382 events against about 220 a day).
    first = DEMO_TODAY.replace(day=1)
    store = Store(tmp_path / "first.duckdb")
    demo.generate(store, "S", seed=2026, today=first)
    # (the 义工 station's volunteers are left out: their running year is served in full by
    # today, so its stars show, and on 01-01 that is a year's services on one day)
    per_day = dict(store.all("SELECT e.date, count(*) FROM events e JOIN members m ON m.id = e.member_id"
                             " WHERE e.date BETWEEN ? AND ? AND m.kind <> 'volunteer' GROUP BY e.date",
                             [first - dt.timedelta(days=28), first]))
    earlier = sorted(n for day, n in per_day.items() if day < first)
    assert per_day.get(first, 0) < 2 * earlier[len(earlier) // 2]  # under twice the median day
    # the spike branch enters enough for the 突击补录 alert to judge a month (alerts.MIN_EVENTS)
    # whatever the day's draw: a village's deductions and awards alone came to 10-17 a month
    county, path = store.one("SELECT code, path FROM orgs WHERE level = 'county' ORDER BY code LIMIT 1")
    raised = alerts.backfill(store, Scope("test", "admin", county, path), default_filter(first))
    assert [a.branch for a in raised if a.rule == "burst"].count("C01T01B07") == 3  # each of the last 3 months
    store.close()
