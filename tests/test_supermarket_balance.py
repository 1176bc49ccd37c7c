"""积分超市 balances: the engine's numbers, over two cycles, for both village templates.

World: tests/market_world.py. Exchanges are made through the counter service on their days.
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.supermarket.balance import balance
from core.supermarket.exchange import exchange
from tests.market_world import ADMIN, CLERK, CLERK2, TODAY, market, market_template  # noqa: F401 (fixtures)


def test_village_4class_carries_points_over(market):
    store, goods = market
    # 2024-12-01: H01 holds 20 (public_order 4 × 5); SOAP 5 + TOWEL 8 = 13 → left 7
    first = exchange(store, CLERK, "H01", [("SOAP", 1), ("TOWEL", 1)], today=dt.date(2024, 12, 1))
    assert (first.points, first.before, first.after) == (13, 20, 7)
    end_2024 = balance(store, ADMIN, "H01", dt.date(2024, 12, 31))
    assert (end_2024.total, end_2024.cumulative, end_2024.balance) == (20, 20, 7)
    # 2025: brave_deed 2 × 5 = 10 → total 10; cumulative 20 + 10 = 30 (never cleared);
    # balance carries over: 30 − 13 = 17, then SOAP ×1 on 2025-04-01 → 17 − 5 = 12
    assert balance(store, ADMIN, "H01", dt.date(2025, 3, 31)).balance == 17
    exchange(store, CLERK, "H01", [("SOAP", 1)], today=dt.date(2025, 4, 1))
    now = balance(store, ADMIN, "H01", TODAY)
    assert (now.total, now.cumulative, now.balance) == (10, 30, 12)
    assert now.as_json()["balance"] == 12 and now.as_json()["cumulative"] == 30


def test_village_zhangji_resets_at_year_end(market):
    store, goods = market
    # 2024: base 100 + stop_crime_person 30 = 130; RICE 50 on 2024-12-01 → 80
    exchange(store, CLERK2, "R01", [("RICE", 1)], today=dt.date(2024, 12, 1))
    end_2024 = balance(store, ADMIN, "R01", dt.date(2024, 12, 31))
    assert (end_2024.total, end_2024.balance) == (130, 80)
    # 2025 starts afresh: base 100 + mediate_dispute 15 = 115, the 80 left in 2024 is gone;
    # SOAP ×4 = 20 on 2025-04-01 → 115 − 20 = 95; cumulative is this cycle's points (115)
    exchange(store, CLERK2, "R01", [("SOAP", 4)], today=dt.date(2025, 4, 1))
    now = balance(store, ADMIN, "R01", TODAY)
    assert (now.total, now.cumulative, now.balance) == (115, 115, 95)


def test_exchange_never_lowers_the_total_or_rank(market):
    store, goods = market
    from core.services.results import branch_results

    before = {r["subject"]: (r["total"], r["rank"]) for r in
              branch_results(store, "C01T01B01", 2025, today=TODAY, track="village").output["results"]}
    exchange(store, CLERK, "H01", [("SOAP", 2)], today=TODAY)
    after = branch_results(store, "C01T01B01", 2025, today=TODAY, track="village").output["results"]
    # H01 total 10 (rank 1 tied with H03's 10), H02 0: unchanged by the exchange; H01's balance 30 − 10 = 20
    assert {r["subject"]: (r["total"], r["rank"]) for r in after} == before
    assert next(r for r in after if r["subject"] == "H01")["balance"] == 20


def test_who_may_see_a_balance(market):
    store, _ = market
    from core.auth import User
    from core.auth.scope import ScopeError
    from core.services.entry_rules import EntryError
    from tests.market_world import CLERK2

    with pytest.raises(ScopeError):
        balance(store, CLERK2, "H01", TODAY)  # 二村's staff, 一村's household
    store.write(lambda cur: cur.execute(  # a household head's own login (core.subject_accounts makes them)
        "INSERT INTO users(username, display_name, password_hash, role, org_code, subject_id)"
        " VALUES ('zdh', '张大户', '-', 'subject', 'C01T01B01', 'H01')").fetchall())
    me = User("zdh", "张大户", "subject", "C01T01B01")
    assert balance(store, me, "H01", TODAY).balance == 30  # 20 (2024) + 10 (2025), nothing spent
    with pytest.raises(EntryError, match="只能查看本人"):
        balance(store, me, "H03", TODAY)


def test_a_volunteer_spends_this_cycles_points(market):
    store, _ = market
    from core.scheme_assignments import assign_scheme
    from core.services.ledger import enter_event
    from core.services.review import approve
    from tests.market_world import CLERK2, TOWNSHIP

    store.write(lambda cur: cur.execute("INSERT INTO members(id, name, branch_code, status, initials, kind)"
                                        " VALUES ('V01', '周义工', 'C01T01B02', 'active', 'zyg', 'volunteer')").fetchall())
    assign_scheme(store, TOWNSHIP, "C01T01B02", "volunteer-stars", dt.date(2024, 1, 1), reason="义工")
    approve(store, ADMIN, [
        enter_event(store, ADMIN, "V01", "service", dt.date(2024, 5, 1), count=10, rating="满意", today=TODAY),
        enter_event(store, ADMIN, "V01", "service", dt.date(2025, 5, 1), count=4, rating="满意", today=TODAY)])
    # volunteer-stars has no [supermarket]: a volunteer spends this cycle's points, which do not
    # carry over — 2025: 4 h × 5 = 20 (2024's 10 h × 5 = 50 are gone); SOAP ×2 = 10 → 10 left
    assert balance(store, ADMIN, "V01", TODAY).balance == 20
    assert exchange(store, CLERK2, "V01", [("SOAP", 2)], today=TODAY).after == 10
    now = balance(store, ADMIN, "V01", TODAY)
    assert (now.total, now.cumulative, now.balance) == (20, 20, 10)
