"""Subjects of every kind: validation (one copy of the rules), add, update, transfer, households."""

import datetime as dt

import pytest

from core import subjects as sj
from core.auth import PermissionDenied, ScopeError
from core.scheme_assignments import assign_scheme
from core.services import ledger, review
from core.services.case import build_case
from core.services.entry_rules import EntryError
from tests.entry_world import ADMIN, OTHER_SECRETARY, RECORDER, SECRETARY, TODAY, TOWNSHIP, world  # noqa: F401

D = dt.date
VALID = "11010519491231002X"  # GB 11643's example (check digit worked out in test_idcard)
B1, B2 = "C01T01B01", "C01T01B02"


def test_validate_cleans_a_messy_row(world):
    clean, errors = sj.validate_subject(world, {
        "name": " 张　三 ", "branch_code": B1, "id_card": "１１０１０５１９４９１２３１００２ｘ", "phone": "138-0013-8000",
        "join_date": "1975-07-01", "status": "免评", "exempt_reason": "年老体弱", "exempt_by": "支部党员大会",
        "exempt_on": D(2024, 3, 1), "probationary": "否"}, "member")
    assert errors == []
    assert clean["name"] == "张三" and clean["id_card"] == VALID and clean["phone"] == "13800138000"
    # birth date and gender come from the ID number: 1949-12-31, 17th digit 2 is even → 女
    assert clean["birth_date"] == D(1949, 12, 31) and clean["gender"] == "女"
    assert clean["status"] == "exempt" and clean["exempt_on"] == D(2024, 3, 1)


@pytest.mark.parametrize("row, kind, message", [
    ({"name": "", "branch_code": B1}, "member", "姓名：不能为空"),
    ({"name": "甲", "branch_code": "C01T01"}, "member", "所在支部：测试镇不是支部"),
    ({"name": "甲", "branch_code": "X"}, "member", "所在支部：未找到"),
    ({"name": "甲", "branch_code": B1, "id_card": "110105194912310021"}, "member", "身份证号「110105194912310021」校验位"),
    ({"name": "甲", "branch_code": B1, "id_card": 110105194912310000}, "member", "丢失"),
    ({"name": "甲", "branch_code": B1, "status": "免评"}, "member", "免评原因：免于评星时必填"),
    ({"name": "甲", "branch_code": B1, "status": "离开"}, "member", "状态：应为"),
    ({"name": "甲", "branch_code": B1, "phone": "12345"}, "member", "联系电话"),
    ({"name": "甲", "branch_code": B1, "join_date": "2001.7.1"}, "member", "入党日期：「2001.7.1」不是日期"),
    ({"name": "甲", "branch_code": B1, "probationary": "是"}, "member", "预备期开始"),
    ({"name": "甲", "branch_code": B1}, "robot", "对象类型"),
    ({"name": "甲", "branch_code": B1, "id_card": VALID, "birth_date": "1950-01-01"}, "member", "出生日期：1950-01-01 与身份证号"),
    # born 1949-12-31, joined 1967-12-30: one day short of 18
    ({"name": "甲", "branch_code": B1, "id_card": VALID, "join_date": "1967-12-30"}, "member", "入党日期：1967-12-30 早于年满18岁"),
])
def test_validate_names_the_field(world, row, kind, message):
    _, errors = sj.validate_subject(world, row, kind)
    assert any(message in e for e in errors), errors


def test_category_comes_from_the_schemes_own_list(world):
    # party-q100-3to1 (the world's scheme) lists no categories: any is taken
    assert sj.validate_subject(world, {"name": "甲", "branch_code": B1, "category": "骨干类"}, "member")[1] == []
    assign_scheme(world, ADMIN, B1, "party-street-3class", D(2024, 7, 1))  # 骨干类, 普通类, 流动类
    assert sj.validate_subject(world, {"name": "甲", "branch_code": B1, "category": "骨干类"}, "member")[1] == []
    _, errors = sj.validate_subject(world, {"name": "甲", "branch_code": B1, "category": "村干部"}, "member")
    assert errors == ["类别：「村干部」不在本支部积分方案的类别中（骨干类、普通类、流动类）"]


def test_probation_dates_default_to_a_year(world):
    clean, errors = sj.validate_subject(world, {"name": "甲", "branch_code": B1, "probationary": True,
                                                "join_date": "2025-03-01"}, "member")
    assert errors == []
    assert (clean["probation_start"], clean["probation_end"]) == (D(2025, 3, 1), D(2026, 2, 28))


def test_add_and_update_a_member_audited_with_the_id_masked(world):
    member = sj.add_subject(world, SECRETARY, {"name": "周九", "branch_code": B1, "id_card": VALID,
                                               "category": "普通类", "work_unit": "县教育局"})
    assert member == "M000012"  # the world's highest member id is M11: 11 + 1
    assert world.scalar("SELECT id_card FROM members WHERE id = ?", [member]) == VALID  # stored in full
    assert sj.get_subject(world, SECRETARY, member)["id_card"] == "1101**********002X"
    listed = sj.list_subjects(world, SECRETARY, B1, "周")
    assert listed["身份证号"].to_list() == ["1101**********002X"]
    changed = sj.update_subject(world, SECRETARY, member, {"phone": "13900000000", "status": "已故"})
    assert changed == {"phone": "13900000000", "member_status": "deceased"}
    audits = world.all("SELECT action, before_json, after_json FROM audit_log WHERE member_id = ? ORDER BY id",
                       [member])
    assert [a[0] for a in audits] == ["subject.add", "subject.update"]
    assert VALID not in " ".join(str(a) for a in audits) and "1101**********002X" in audits[0][2]
    assert '"member_status": "active"' in audits[1][1] and '"member_status": "deceased"' in audits[1][2]
    # 操作日志 says it in words
    from core.audit_log import search
    from core.auth.scope import scope_for
    logged = {r["操作"]: r["变更内容"] for r in search(world, scope_for(world, ADMIN), member="周九")[0].to_dicts()}
    assert logged["修改人员信息"] == "联系电话：— → 13900000000\n人员状态：正常 → 已故"
    assert "身份证号：1101**********002X" in logged["新增人员"] and "所在支部：一村党支部" in logged["新增人员"]
    with pytest.raises(EntryError, match="周九 已故，不能再记分"):
        ledger.enter_event(world, SECRETARY, member, "miss_meeting", D(2025, 11, 3), today=TODAY)
    # a deceased member leaves the branch's open history
    assert world.scalar("SELECT count(*) FROM member_branch_history WHERE member_id = ? AND to_date IS NULL",
                        [member]) == 0


def test_who_may_edit(world):
    with pytest.raises(PermissionDenied):
        sj.add_subject(world, RECORDER, {"name": "甲", "branch_code": B1})
    with pytest.raises(ScopeError):
        sj.add_subject(world, OTHER_SECRETARY, {"name": "甲", "branch_code": B1})
    with pytest.raises(ScopeError):
        sj.update_subject(world, OTHER_SECRETARY, "M01", {"phone": "13900000000"})
    assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'scope.denied'") == 2
    with pytest.raises(EntryError, match="姓名"):
        sj.add_subject(world, TOWNSHIP, {"name": " ", "branch_code": B1})
    assert sj.add_subject(world, TOWNSHIP, {"name": "甲", "branch_code": B2}) == "M000012"


def test_subjects_of_every_kind_and_a_household_with_its_people(world):
    member = sj.add_subject(world, ADMIN, {"name": "张三", "branch_code": B1, "id_card": VALID})
    household = sj.add_subject(world, ADMIN, {"name": "张三户", "branch_code": B1, "head_name": "张三",
                                              "address": "一村3组", "house_no": "12号"}, "household")
    resident = sj.add_subject(world, ADMIN, {"name": "李大", "branch_code": B1}, "resident")
    unit = sj.add_subject(world, ADMIN, {"name": "一村 便民 超市", "branch_code": B1}, "unit")
    volunteer = sj.add_subject(world, ADMIN, {"name": "王小", "branch_code": B1}, "volunteer")
    assert (household, resident, unit, volunteer) == ("H000001", "R000001", "U000001", "V000001")
    assert world.scalar("SELECT name FROM members WHERE id = ?", [unit]) == "一村 便民 超市"
    # the same person is a 党员 and a household's head: two subjects, linked by member_id
    person = sj.add_person(world, ADMIN, household, {"name": "张三", "relation": "户主", "id_card": VALID,
                                                     "member_id": member})
    sj.add_person(world, ADMIN, household, {"name": "李梅", "relation": "配偶"})
    people = sj.household_people(world, ADMIN, household)
    assert people["姓名"].to_list() == ["张三", "李梅"]
    assert people["身份证号"].to_list() == ["1101**********002X", ""]
    with pytest.raises(EntryError, match="不是户"):
        sj.add_person(world, ADMIN, member, {"name": "某"})
    with pytest.raises(EntryError, match="与户主关系"):
        sj.add_person(world, ADMIN, household, {"name": "某", "relation": "邻居"})
    sj.remove_person(world, ADMIN, household, person)
    assert sj.household_people(world, ADMIN, household)["姓名"].to_list() == ["李梅"]
    actions = [r[0] for r in world.all("SELECT action FROM audit_log WHERE member_id = ? ORDER BY id", [household])]
    assert actions == ["subject.add", "household.person_add", "household.person_add", "household.person_remove"]
    kinds = sj.list_subjects(world, ADMIN, "C01")["类型"].to_list()
    assert sorted(kinds) == sorted(["党员"] * 7 + ["农户", "村民", "单位", "义工"])


def test_a_duplicate_id_number_within_a_kind_is_refused(world):
    sj.add_subject(world, ADMIN, {"name": "张三", "branch_code": B1, "id_card": VALID})
    with pytest.raises(EntryError, match="身份证号：已登记"):
        sj.add_subject(world, ADMIN, {"name": "张三", "branch_code": B2, "id_card": VALID})
    # another kind may carry the same person
    assert sj.add_subject(world, ADMIN, {"name": "张三", "branch_code": B2, "id_card": VALID}, "volunteer")


def test_a_transfer_keeps_history_and_events_stay_with_the_branch_that_entered_them(world):
    # M01 earns a B01 point in August, moves to B02 on 2025-10-01 and earns a B02 point in October.
    b1_event = ledger.enter_event(world, SECRETARY, "M01", "miss_meeting", D(2025, 8, 3), today=TODAY)
    review.approve(world, SECRETARY, [b1_event])
    sj.transfer_subject(world, ADMIN, "M01", B2, D(2025, 10, 1))
    # M01 had no history (typed in): a span in B01 closed the day before, one in B02 open
    assert world.all("SELECT branch_code, to_date FROM member_branch_history WHERE member_id = 'M01'"
                     " ORDER BY from_date") == [(B1, D(2025, 9, 30)), (B2, None)]
    b2_event = ledger.enter_event(world, OTHER_SECRETARY, "M01", "miss_meeting", D(2025, 10, 10), today=TODAY)
    review.approve(world, OTHER_SECRETARY, [b2_event])
    assert world.all("SELECT id, branch_code FROM events ORDER BY id") == [(b1_event, B1), (b2_event, B2)]
    _, b2 = build_case(world, B2, 2025, today=TODAY)
    assert "M01" in [s["id"] for s in b2["subjects"]]
    assert [(e["subject"], e["date"]) for e in b2["events"]] == [("M01", "2025-10-10")]
    (before, after), = world.all("SELECT before_json, after_json FROM audit_log WHERE action = 'subject.update'")
    assert B1 in before and B2 in after
