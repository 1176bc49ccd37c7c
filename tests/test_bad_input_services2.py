"""Bad input over the services added by issues 11 and 12: success or a Chinese refusal, and no
half-write (issue 13, "Bad input"; tests/test_bad_input.py does the same for the first issues'
services and holds the shared checker ``call``).

Covered: 积分超市 (exchange, 撤销, goods add/edit/停用, 入库, 盘点), volunteers (hours, training,
registration date, 星级 standing, 月报 submit and report), 社区报到 (posts, report-in,
withdrawal, activities, evaluations), 自我申报, the review chain (会议记录, 报送, 审核通过/退回,
催办, 代为办理), 结果运用 (cases and their steps, candidates), targets (set_target), and scheme
tuning (check_edit, simulate, adopt). A refusal is any type a page shows for the service
(EntryError and its kin, AuthError, PermissionError, NoSchemeError, EditError). One world
per store per module (hypothesis runs every example on it); both stores. Examples are drawn
the same way each run (``derandomize``) and a failure is reported as found, unshrunk: each
example costs store round trips, and shrinking one took minutes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core import self_service, targets
from core.auth import AuthError, PermissionDenied, ScopeError, User
from core.reportin import activities as ri_activities
from core.reportin import evaluations as ri_evaluations
from core.reportin import letter as ri_letter
from core.reportin import posts as ri_posts
from core.reportin import registrations as ri_registrations
from core.results_use import candidates as ru_candidates
from core.results_use import cases as ru_cases
from core.scheme import load_scheme
from core.scheme_assignments import NoSchemeError, assign_scheme
from core.scheme_edit import EditError, adopt, check_edit, simulate_org
from core.services import objections, reminders, review_chain
from core.services.entry_rules import EntryError
from core.supermarket import exchange as market
from core.supermarket import goods as goods_service
from core.volunteers import monthly, service_log, standing, stations, training
from tests import market_world, report_in_world, subject_world, volunteers_world
from tests.conftest import STORES
from tests.entry_world import ADMIN, RECORDER, SECRETARY, TODAY, TOWNSHIP
from tests.rhythm_world import fresh_store
from tests.test_bad_input import NASTY_NUMBERS, call, dates, ids, texts

REFUSALS = (EntryError, AuthError, PermissionDenied, ScopeError, NoSchemeError, EditError)
SETTINGS = settings(max_examples=10, deadline=None, derandomize=True, phases=[Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
STATION = volunteers_world.STATION

numbers = st.sampled_from(NASTY_NUMBERS + [1, 2, "3", Decimal("2"), 5])
cycles = st.sampled_from([99999, -5, 2200, 0, None, "2025", "abc", True, 10**30, 2024, 2025])
codes = st.sampled_from(["C01T01B01", "C01T01B02", "C01T01", "C01", STATION, "C99", None, 5, "", "\ud800",
                         ["C01T01B01"], "x" * 10_000])
periods = st.sampled_from(["cycle", "Q1", "H1", "M3", "Q9", None, 5, "", ["Q1"]])
tracks = st.sampled_from(["party", "village", "volunteer", "nope", None, 3])
users = st.sampled_from([ADMIN, TOWNSHIP, SECRETARY, RECORDER, market_world.CLERK2, volunteers_world.STATION_RECORDER,
                         subject_world.ZHANGSAN])


def refuse_or_do(store, fn) -> bool:
    return call(store, fn, REFUSALS)


@pytest.fixture(scope="module", params=STORES)
def town(request, tmp_path_factory):
    """tests/market_world.py's township (its households and goods), with tests/volunteers_world.py's
    station and tests/subject_world.py's self-declaration and subject logins stacked on it."""
    with fresh_store(request, tmp_path_factory) as store:
        market_world.build(store)

        def station(cur):
            cur.execute("INSERT INTO orgs(code, name, level, parent_code, path) VALUES (?, ?, 'branch', 'C01T01', ?)",
                        [STATION, "测试镇党员义工工作站", f"/C01/C01T01/{STATION}/"]).fetchall()
            for vid, name, initials, registered in volunteers_world.VOLUNTEERS:
                cur.execute("INSERT INTO members(id, name, kind, branch_code, status, initials, approved_on)"
                            " VALUES (?, ?, 'volunteer', ?, 'active', ?, ?)",
                            [vid, name, STATION, initials, registered]).fetchall()
            cur.executemany("INSERT INTO users(username, display_name, password_hash, role, org_code, subject_id)"
                            " VALUES (?, ?, 'x', 'subject', 'C01T01B01', ?)",
                            [["zhangsan", "张三", "M01"], ["lisi", "李四", "M02"]])

        store.write(station)
        assign_scheme(store, TOWNSHIP, STATION, "volunteer-stars", dt.date(2025, 1, 1), reason="工作站启用义工星级管理")
        assign_scheme(store, TOWNSHIP, "C01T01B01", "party-q100-3to1", dt.date(2024, 7, 1),
                      overrides={"self_declare": True}, reason="试行自我申报")
        yield store


@SETTINGS
@given(subject=st.sampled_from(["H01", "H02", "R01", "M01", "nobody", None, 5, "\ud800"]),
       goods=st.sampled_from(["RICE", "SOAP", "NOPE", None, 1, 10**30, "\ud800"]), qty=numbers, note=texts,
       key=st.sampled_from([None, "", "k1", "\ud800", "x" * 10_000, 5]), exchange_id=ids, reason=texts,
       user=users, day=dates)
def test_market(town, subject, goods, qty, note, key, exchange_id, reason, user, day):
    refuse_or_do(town, lambda: market.exchange(town, user, subject, [(goods, qty)], today=TODAY, request_key=key,
                                               note=note))
    refuse_or_do(town, lambda: market.exchange(town, user, subject, goods, today=day))
    refuse_or_do(town, lambda: market.undo(town, user, exchange_id, reason, today=TODAY))


@SETTINGS
@given(org=codes, code=texts, name=texts, unit=texts, price=numbers, stock=numbers, rate=numbers, goods_id=ids,
       qty=numbers, counted=numbers, note=texts, reason=texts, active=st.sampled_from([True, False, None, "否", 1]),
       user=users)
def test_goods(town, org, code, name, unit, price, stock, rate, goods_id, qty, counted, note, reason, active, user):
    values = {"code": code, "name": name, "unit": unit, "price": price, "stock": stock, "subsidy_rate": rate}
    refuse_or_do(town, lambda: goods_service.add_goods(town, user, org, values, today=TODAY))
    refuse_or_do(town, lambda: goods_service.add_goods(town, user, org, None, today=TODAY))
    refuse_or_do(town, lambda: goods_service.edit_goods(town, user, goods_id, {"name": name, "price": price}))
    refuse_or_do(town, lambda: goods_service.restock(town, user, goods_id, qty, note, today=TODAY))
    refuse_or_do(town, lambda: goods_service.stocktake(town, user, goods_id, counted, reason, today=TODAY))
    refuse_or_do(town, lambda: goods_service.set_active(town, user, goods_id, active))


@SETTINGS
@given(vid=st.sampled_from(["V01", "V04", "M01", "nobody", None, 7, ["V01"], "\ud800"]), day=dates, hours=numbers,
       service_type=st.sampled_from(["便民利民", "nope", None, "", 3]), form=st.sampled_from(["集中", "派单", "x", None]),
       rating=st.sampled_from(["满意", "很好", None, ""]), confirmed=texts, served=texts, note=texts, topic=texts,
       key=st.sampled_from([None, "k", "\ud800", 5]), station=codes, cycle=cycles,
       month=st.sampled_from([dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(9999, 12, 1), dt.date(1900, 1, 1),
                              None, "2025-10", dt.datetime(2025, 10, 5, 1, 0)]),
       ids_=st.sampled_from([["V01", "V02"], [], None, "V01", ["V01", "V01"], ["nobody"], [None]]),
       user=st.sampled_from([volunteers_world.STATION_RECORDER, volunteers_world.STATION_SECRETARY, TOWNSHIP,
                             SECRETARY]))
def test_volunteers(town, vid, day, hours, service_type, form, rating, confirmed, served, note, topic, key, station,
                    cycle, month, ids_, user):
    refuse_or_do(town, lambda: service_log.log_service(town, user, vid, day, hours, service_type, form, rating,
                                                       confirmed_by=confirmed, served_name=served, note=note,
                                                       request_key=key, today=TODAY))
    refuse_or_do(town, lambda: training.add_training(town, user, station, ids_, day, hours, topic, today=TODAY))
    refuse_or_do(town, lambda: stations.set_registered(town, user, vid, day, today=TODAY))
    refuse_or_do(town, lambda: standing.standing(town, user, station, cycle, today=TODAY))
    refuse_or_do(town, lambda: monthly.report(town, user, station, month, today=TODAY))
    refuse_or_do(town, lambda: monthly.submit(town, user, station, month, today=TODAY))


@SETTINGS
@given(item=st.sampled_from(["award_city", "article_city", "miss_meeting", "nope", None, 5]), day=dates,
       points=numbers, count=numbers, note=texts,
       photo=st.sampled_from([None, b"", b"not an image", "text", subject_world.image(), b"\x89PNG" + b"0" * 100]),
       key=st.sampled_from([None, "k", "\ud800", 5]),
       user=st.sampled_from([subject_world.ZHANGSAN, subject_world.LISI, SECRETARY,
                             User("ghost", "无此人", "subject", "C01T01B01")]))
def test_self_declare(town, item, day, points, count, note, photo, key, user):
    refuse_or_do(town, lambda: self_service.declare(town, user, item, day, points=points, count=count, note=note,
                                                    photo=photo, request_key=key, today=TODAY))


@SETTINGS
@given(branch=codes, cycle=cycles, period=periods, track=tracks,
       kind=st.sampled_from(["支委会", "支部党员大会", "nope", None, 3]), day=dates, attendees=texts, decision=texts,
       reason=texts, user=users, ref=st.sampled_from(["1", "Q1", "2025Q1", None, 5, "\ud800", "x" * 10_000]),
       reminder_kind=st.sampled_from(["objection", "publicity", "nope", None]), objection_id=ids,
       resolution=texts, recheck=texts)
def test_review_chain(town, branch, cycle, period, track, kind, day, attendees, decision, reason, user, ref,
                      reminder_kind, objection_id, resolution, recheck):
    refuse_or_do(town, lambda: review_chain.record_committee(town, user, branch, cycle, period, track, kind, day,
                                                             attendees, decision, today=TODAY))
    refuse_or_do(town, lambda: review_chain.submit(town, user, branch, cycle, period, track, today=TODAY))
    refuse_or_do(town, lambda: review_chain.approve(town, user, branch, cycle, period, track, today=TODAY))
    refuse_or_do(town, lambda: review_chain.return_(town, user, branch, cycle, period, reason, track, today=TODAY))
    refuse_or_do(town, lambda: reminders.remind(town, user, branch, reminder_kind, ref, reason, today=TODAY))
    refuse_or_do(town, lambda: objections.take_over_objection(town, user, objection_id, resolution, recheck,
                                                              today=TODAY))


@SETTINGS
@given(org=codes, cycle=cycles, case_id=ids, day=dates, note=texts, plan=texts,
       outcome=st.sampled_from(["转化", "限期改正", "除名", "nope", None, 3, ""]), user=users,
       today=st.sampled_from([TODAY, dt.date(2026, 7, 10), None]))
def test_results_use(town, org, cycle, case_id, day, note, plan, outcome, user, today):
    refuse_or_do(town, lambda: ru_cases.open_cases(town, user, org, cycle, today=today))
    refuse_or_do(town, lambda: ru_candidates.candidates(town, user, org, cycle, today))
    refuse_or_do(town, lambda: ru_cases.record_talk(town, user, case_id, day, note, today=TODAY))
    refuse_or_do(town, lambda: ru_cases.record_plan(town, user, case_id, plan, day, today=TODAY))
    refuse_or_do(town, lambda: ru_cases.recommend(town, user, case_id, outcome))
    refuse_or_do(town, lambda: ru_cases.decide(town, user, case_id, outcome, note))


@SETTINGS
@given(org=codes, kind=st.sampled_from(["支部党员大会", "志愿服务", "nope", None, 3]), percent=numbers,
       changes=st.sampled_from([{"quotas.0.percent": "15"}, {"quotas.0.percent": "1e9"}, {"quotas.0.percent": "NaN"},
                                {"quotas.0.percent": Decimal("sNaN")}, {"quotas.99.percent": "3"}, {"x": "1"},
                                {"quotas.0.percent": None}, {"quotas.0.percent": [1]}, {}, None, "quotas=1",
                                {("quotas",): 1}, {"quotas.0.percent": "\ud800"}]),
       track=tracks, cycle=cycles, day=dates, reason=texts, user=users)
def test_targets_and_tuning(town, org, kind, percent, changes, track, cycle, day, reason, user):
    refuse_or_do(town, lambda: targets.set_target(town, user, org, kind, percent))
    refuse_or_do(town, lambda: check_edit(load_scheme("party-q100-3to1"), changes))
    refuse_or_do(town, lambda: simulate_org(town, user, org, changes, track, today=TODAY, cycle=cycle))
    refuse_or_do(town, lambda: adopt(town, user, org, changes, day, reason, track))


@pytest.fixture(scope="module")
def cheap_hash():
    """argon2 takes half a second a password; what is tested is the input, not the hash."""
    from core.auth import admin, users

    mp = pytest.MonkeyPatch()
    for module in (users, admin):
        mp.setattr(module, "hash_password", lambda password: users._DUMMY_HASH)
    yield
    mp.undo()


@SETTINGS
@given(subject=st.sampled_from(["H01", "H02", "M03", "V01", "nobody", None, 5, "\ud800", "x" * 10_000]),
       username=texts, password=st.sampled_from([None, "", "        ", "123456", "Strong-pass-2025", "\ud800" * 9, 5]),
       active=st.sampled_from([True, False, None, "否"]), branch=codes, query=texts,
       user=st.sampled_from([SECRETARY, RECORDER, TOWNSHIP, market_world.CLERK2]))
def test_subject_accounts_and_search(town, cheap_hash, subject, username, password, active, branch, query, user):
    from core import subject_accounts
    from core.auth import scope_for
    from core.supermarket import households

    refuse_or_do(town, lambda: subject_accounts.open_account(town, user, subject, username, password))
    refuse_or_do(town, lambda: subject_accounts.reset_password(town, user, username, password))
    refuse_or_do(town, lambda: subject_accounts.set_active(town, user, username, active))
    refuse_or_do(town, lambda: households.find(town, scope_for(town, user), branch, query))


# -- 社区报到: a street of its own (tests/report_in_world.py) ----------------------------------

@pytest.fixture(scope="module", params=STORES)
def street(request, tmp_path_factory):
    with fresh_store(request, tmp_path_factory) as store:
        report_in_world.build(store)
        report_in_world.posts(store)
        yield store


RI_USERS = st.sampled_from([report_in_world.COMMUNITY, report_in_world.DEPARTMENT, report_in_world.STREET,
                            report_in_world.OUTSIDER, report_in_world.COMMUNITY_RECORDER])


@SETTINGS
@given(member=st.sampled_from(["D01", "D02", "X01", "R01", "nobody", None, 5, "\ud800"]),
       community=st.sampled_from([report_in_world.A, report_in_world.B, report_in_world.DEPT, "C99", None, 5]),
       day=dates, post_id=ids, pledge=texts, registration_id=ids, reason=texts, title=texts, note=texts, name=texts,
       present=st.sampled_from([["D01"], [], None, "D01", ["nobody"], [None], {"D01": True}]),
       year=cycles, half=st.sampled_from([1, 2, 0, 3, None, "1", True]),
       grades=st.sampled_from([{"D01": ("好", "积极")}, {"D01": ("nope", "")}, {"D01": ("好", "\ud800")},
                               {"nobody": ("好", "")}, {"D01": "好"}, {}, None, {"D01": ("好", "x" * 1_000_000)}]),
       active=st.sampled_from([True, False, None, "否"]), user=RI_USERS)
def test_report_in(street, member, community, day, post_id, pledge, registration_id, reason, title, note, name,
                   present, year, half, grades, active, user):
    refuse_or_do(street, lambda: ri_posts.add_post(street, user, community, name, note))
    refuse_or_do(street, lambda: ri_posts.rename_post(street, user, post_id, name, note))
    refuse_or_do(street, lambda: ri_posts.set_post_active(street, user, post_id, active))
    refuse_or_do(street, lambda: ri_registrations.register(street, user, member, community, day, post_id, pledge,
                                                           today=report_in_world.TODAY))
    refuse_or_do(street, lambda: ri_registrations.withdraw(street, user, registration_id, reason))
    refuse_or_do(street, lambda: ri_activities.record_activity(street, user, community, day, title, present, note=note,
                                                               today=report_in_world.TODAY))
    refuse_or_do(street, lambda: ri_evaluations.record_evaluations(street, user, community, year, half, grades,
                                                                   today=report_in_world.TODAY))


@SETTINGS
@given(community=st.sampled_from([report_in_world.A, report_in_world.DEPT, "C99", None, 5, "\ud800"]),
       year=cycles, member=st.sampled_from(["D01", "nobody", None, 5, "\ud800"]), query=texts, user=RI_USERS)
def test_report_in_letters_and_search(street, community, year, member, query, user):
    refuse_or_do(street, lambda: ri_letter.letters(street, user, community, year, member_id=member))
    refuse_or_do(street, lambda: ri_registrations.candidates(street, user, community, query))


def test_the_checker_sees_a_half_write(town):
    """A refusal after a committed write (two transactions, the first kept) is caught."""
    def half(store=town):
        store.write(lambda cur: cur.execute("INSERT INTO meta(key, value) VALUES ('half', 'x')").fetchall())
        raise EntryError("第二步失败")

    with pytest.raises(AssertionError, match="half-write"):
        refuse_or_do(town, half)
    town.write(lambda cur: cur.execute("DELETE FROM meta WHERE key = 'half'").fetchall())
    assert refuse_or_do(town, lambda: town.one("SELECT 1")) is True

