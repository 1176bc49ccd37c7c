"""操作日志 reads: filters by user, member, date and action, within the reader's scope; every
action and field in Chinese; logins apart from changes; Excel export."""

import datetime as dt
import io
import re
from pathlib import Path

import polars as pl

from core.audit_log import ACTION_NAMES, describe_change, export_excel, search
from core.auth.scope import scope_for
from core.services import ledger
from core.services.publicity import open_publicity
from tests.entry_world import ADMIN, OTHER_SECRETARY, SECRETARY, TODAY, TOWNSHIP, world  # noqa: F401
from tests.publicity_world import BRANCH, approved_event

CORE = Path(__file__).resolve().parents[1] / "core"


def test_filters_and_scope(world):
    approved_event(world, "M01", "miss_meeting", dt.date(2025, 8, 3))
    open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", TODAY, TODAY + dt.timedelta(days=6), today=TODAY)
    township = scope_for(world, TOWNSHIP)
    frame, total = search(world, township, username="shuji01")
    assert total == 3 and set(frame["操作"]) == {"录入积分", "审核通过", "发起公示"}
    frame, total = search(world, township, member="张三")
    assert set(frame["操作"]) == {"录入积分", "审核通过"}
    assert search(world, township, start=TODAY + dt.timedelta(days=400))[1] == 0
    assert search(world, township, end=dt.date(2000, 1, 1))[1] == 0
    # the other branch's secretary sees none of branch 1's rows
    assert search(world, scope_for(world, OTHER_SECRETARY), member="张三")[1] == 0
    row = search(world, scope_for(world, ADMIN), username="shuji01")[0].row(0, named=True)
    assert row["操作"] == "发起公示" and "期间：第1季度" in row["变更内容"]
    assert row["操作人"] == "shuji01"  # this world has no users table rows: the username alone


def test_filter_by_action(world):
    approved_event(world, "M01", "miss_meeting", dt.date(2025, 8, 3))
    approved_event(world, "M02", "miss_meeting", dt.date(2025, 8, 4))
    frame, total = search(world, scope_for(world, ADMIN), actions=["event.approve"])
    assert total == 2 and set(frame["操作"]) == {"审核通过"}


def _actions_written_in_core() -> set[str]:
    """Every action string core passes to audit.record (f-string choices expanded)."""
    found = set()
    for path in CORE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"audit\.record\(\s*[^,]+,\s*[^,]+,\s*([^\n]+)", text):
            arg = call.group(1)
            choice = re.match(r"f\"(\w+)\.\{'(\w+)' if .+? else '(\w+)'\}\"", arg)
            if choice:
                found |= {f"{choice[1]}.{choice[2]}", f"{choice[1]}.{choice[3]}"}
                continue
            head = re.match(r"(\"[\w.]+\"(?:\s+if\s+[^,]+?\s+else\s+\"[\w.]+\")?)", arg)
            assert head, f"{path.name}: cannot read the action of audit.record({arg[:60]}"
            found |= set(re.findall(r"\"(\w+\.[\w.]+)\"", head[1]))  # actions, not a condition's "approved"
    return found


def test_every_action_core_writes_has_a_chinese_name():
    written = _actions_written_in_core()
    assert {"user.reset_password", "event.approve", "event.reject", "user.enable", "user.disable"} <= written
    assert written - set(ACTION_NAMES) == set()
    assert all(re.search(r"[\u4e00-\u9fff]", name) and "." not in name for name in ACTION_NAMES.values())


def test_before_and_after_read_as_a_chinese_diff(world):
    event = approved_event(world, "M01", "miss_meeting", dt.date(2025, 8, 3))
    ledger.reverse_event(world, SECRETARY, event, reason="录错了人")
    rows = search(world, scope_for(world, ADMIN), member="张三")[0].to_dicts()
    by_action = {r["操作"]: r for r in rows}
    entered = by_action["录入积分"]["变更内容"]
    assert "项目：缺席三会一课" in entered and "日期：2025-08-03" in entered and "数量：1" in entered
    assert "miss_meeting" not in entered and "party-q100" not in entered and "备注" not in entered
    assert "积分方案：党员积分季度百分制" in entered
    # miss_meeting is 缺席三会一课 in party-q100-3to1, −2 a time: 1 × −2 = −2
    assert by_action["审核通过"]["变更内容"] == "审核状态：待审核 → 已通过\n积分：-2"
    assert by_action["撤销积分"]["原因"] == "录错了人"
    assert by_action["撤销积分"]["对象"] == f"积分记录（编号 {event}）"


def test_describe_change_of_users_and_republished_results():
    assert describe_change({"active": True}, {"active": False}) == "状态：启用 → 停用"
    assert describe_change(None, {"role": "township", "display_name": "孙丽"}) == "角色：乡镇（街道）组织委员\n姓名：孙丽"
    assert describe_change(None, None) == "—"
    names = {"orgs": {}, "members": {"M01": "张三", "M02": "李四"}}
    before = {"period": "cycle", "results": {"M01": [80, "合格", None], "M02": [70, "合格", None]}}
    after = {"period": "cycle", "results": {"M01": [85, "优秀", None], "M02": [70, "合格", None]}, "window": "new"}
    # only 张三 changed: 80 → 85 and 合格 → 优秀; 李四 is not listed
    assert describe_change(before, after, names) == "张三：总分 80 → 85，等次 合格 → 优秀\n公示期：重新起算公示期"
    assert describe_change({"locked": True, "start": "2025-07-01"}, {"locked": False}) == \
        "期间锁定：已锁定 → 已解锁\n原开始日期：2025-07-01"


def test_logins_are_apart_from_changes(demo_store):
    from core.auth import authenticate, get_user
    from core.auth.users import AuthError

    authenticate(demo_store, "shuji01", "jifen2026", now=dt.datetime(2025, 7, 1, 8, 30))
    try:
        authenticate(demo_store, "shuji01", "wrong-password")
    except AuthError:
        pass
    scope = scope_for(demo_store, get_user(demo_store, "admin"))
    logins, total = search(demo_store, scope, username="shuji01", logins=True)
    assert total == 2 and list(logins["操作"]) == ["登录失败", "登录"]
    assert list(logins.columns) == ["时间", "用户", "操作", "说明"]
    assert logins["用户"][1] == "王建国（shuji01）"
    changes, _ = search(demo_store, scope, username="shuji01")
    assert not set(changes["操作"]) & {"登录", "登录失败", "退出登录"}


def test_the_demo_log_holds_no_raw_codes_or_none(demo_store):
    from core.auth import get_user
    scope = scope_for(demo_store, get_user(demo_store, "admin"))
    frame, total = search(demo_store, scope, limit=None)
    assert total == frame.height > 0
    text = "\n".join("\t".join(r) for r in frame.rows())
    for raw in ("None", "nan", "null", "publicity.open", "period.finalise", "party-", "cycle", "{"):
        assert raw not in text, raw
    assert frame.null_count().sum_horizontal().item() == 0


def test_excel_export_has_both_sheets_and_neutralises_formulas(world):
    ledger.enter_event(world, SECRETARY, "M01", "miss_meeting", dt.date(2025, 8, 3), None, 1,
                       note="=HYPERLINK(\"http://x\")", today=TODAY)
    data = export_excel(world, scope_for(world, ADMIN), member="张三")
    changes = pl.read_excel(io.BytesIO(data), sheet_name="操作记录")
    assert changes["操作"].to_list() == ["录入积分"]
    change = changes["变更内容"][0]
    assert "备注：=HYPERLINK" in change  # the cell starts with 项目, so it is no formula
    # a reason is shown as typed: one starting with "=" gets the apostrophe that keeps it text
    event = ledger.enter_event(world, SECRETARY, "M02", "miss_meeting", dt.date(2025, 8, 3), None, 1, today=TODAY)
    ledger.reverse_event(world, SECRETARY, event, reason="=1+1")
    data = export_excel(world, scope_for(world, ADMIN), member="李四", actions=["event.reverse"])
    reversed_ = pl.read_excel(io.BytesIO(data), sheet_name="操作记录")
    assert reversed_["原因"].to_list() == ["'=1+1"]


def test_describe_change_names_components_periods_schemes_and_vetoes():
    saved = describe_change({"M01": {"value": 1}}, {"cycle": 2025, "component": "appraisal", "period": "Q1",
                                                     "rows": 3, "scheme": "party-q100-3to1@1.0"})
    # party-q100-3to1 starts its cycle on 07-01: cycle 2025 is 2025-07-01..2026-06-30, Q1 is Jul–Sep
    assert saved.splitlines() == ["覆盖原有记录：1 名成员", "积分周期：2025—2026年度（2025-07-01至2026-06-30）",
                                  "评议项目：评议分", "期间：第1季度", "人数：3",
                                  "积分方案：党员积分季度百分制（日常分:评议分=3:1）"]
    assigned = describe_change(None, {"org_code": "C01T01", "scheme_id": "party-q100-3to1", "scheme_version": "1.2",
                                      "from_date": "2025-07-01", "overrides": None},
                               {"orgs": {"C01T01": "双河镇"}, "members": {}})
    assert assigned.splitlines()[:2] == ["所属组织：双河镇", "积分方案：党员积分季度百分制（日常分:评议分=3:1）"]
    # a veto row names no scheme: the item's name comes from the shipped schemes
    assert describe_change(None, {"item": "illegal_petition", "effect": "no_rating"}) == "项目：参与非法上访\n否决效果：不参加评定"
    assert describe_change({"target": None}, {"target": 80}) == "覆盖率目标（%）：— → 80"
