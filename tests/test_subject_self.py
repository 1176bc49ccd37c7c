"""A subject's login: it reads only its own account, declares with a photo, and hears a
rejection's reason; every staff service refuses it."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pytest

from core import self_service
from core.auth import AuthError, PermissionDenied, ScopeError, add_user, scope_for
from core.evidence import MAX_BYTES, event_photo
from core.services import ledger, review
from core.services.entry_rules import EntryError
from core.services.member_summary import member_summary
from core.services.results import explain_lines, view_results
from core.subject_accounts import open_account
from tests.entry_world import OTHER_SECRETARY, RECORDER, SECRETARY, TODAY
from tests.subject_world import LISI, ZHANGSAN, build, image

D = dt.date(2025, 8, 3)


@pytest.fixture
def world(store):
    build(store)
    return store


def declare(store, user=ZHANGSAN, item="award_city", photo=None, day=D, **kw):
    kw.setdefault("note", "8月3日在村口扑灭草垛火情")
    return self_service.declare(store, user, item, day, photo=image() if photo is None else photo, today=TODAY, **kw)


def counts(store):
    return store.scalar("SELECT count(*) FROM events"), store.scalar("SELECT count(*) FROM evidence_files")


def test_a_subject_login_is_tied_to_one_scored_subject_in_scope(world):
    row = world.one("SELECT role, org_code, subject_id, display_name FROM users WHERE username = 'zhangsan'")
    assert row == ("subject", "C01T01B01", "M01", "张三")  # the org is the subject's branch, never chosen
    with pytest.raises(AuthError, match="张三已有本人账号：zhangsan"):
        open_account(world, SECRETARY, "M01", "zhangsan2", "another-pass-1")
    with pytest.raises(AuthError, match="钱七已转出"):
        open_account(world, SECRETARY, "M05", "qianqi", "another-pass-1")
    with pytest.raises(ScopeError, match="未找到成员 M99"):
        open_account(world, SECRETARY, "M99", "nobody", "another-pass-1")
    with pytest.raises(PermissionDenied):
        open_account(world, RECORDER, "M03", "wangwu", "another-pass-1")
    with pytest.raises(ScopeError):  # 二村's secretary for 一村's 王五: refused and audited
        open_account(world, OTHER_SECRETARY, "M03", "wangwu", "another-pass-1")
    assert world.scalar("SELECT count(*) FROM audit_log WHERE username = 'shuji02' AND action = 'scope.denied'") == 1
    with pytest.raises(AuthError, match="积分对象编号"):
        add_user(world, "nosubject", "another-pass-1", "subject", None)
    # a household's login is its head's; the password is generated and shown once when not given
    world.write(lambda cur: cur.execute(
        "INSERT INTO members(id, name, kind, branch_code, head_name) VALUES ('H01', '张家', 'household', 'C01T01B01', '张大山'),"
        " ('H02', '李家', 'household', 'C01T01B01', NULL)").fetchall())
    user, password = open_account(world, SECRETARY, "H01")
    assert (user.username, user.display_name, user.role) == ("H01", "张大山", "subject")
    assert len(password) == 8 and any(c.isdigit() for c in password)
    assert open_account(world, SECRETARY, "H02")[0].display_name == "李家"  # no head recorded: the household's name


def test_every_staff_service_refuses_a_subject(world):
    lisi_event = ledger.enter_event(world, RECORDER, "M02", "award_city", D, today=TODAY)
    with pytest.raises(ScopeError, match="只能查看本人"):
        scope_for(world, ZHANGSAN)
    with pytest.raises(ScopeError):
        member_summary(world, ZHANGSAN, "M02", today=TODAY)  # 李四's figure
    with pytest.raises(ScopeError):
        ledger.recent_entries(world, ZHANGSAN, member_id="M02")
    with pytest.raises(ScopeError):
        review.review_queue(world, ZHANGSAN)
    with pytest.raises(PermissionDenied):
        ledger.enter_event(world, ZHANGSAN, "M02", "award_city", D, today=TODAY)
    with pytest.raises(PermissionDenied):
        review.approve(world, ZHANGSAN, [lisi_event])
    with pytest.raises(PermissionDenied):
        event_photo(world, ZHANGSAN, lisi_event)
    with pytest.raises(ScopeError):  # results go through the user's scope, which a subject has none of
        view_results(world, scope_for(world, ZHANGSAN), "C01T01B01", 2025)
    assert world.scalar("SELECT count(*) FROM audit_log WHERE username = 'zhangsan' AND action = 'scope.denied'") == 5
    assert world.scalar("SELECT count(*) FROM event_reviews") == 0
    # a staff login has no "own" account, and a disabled subject login reads nothing
    with pytest.raises(PermissionDenied):
        self_service.my_points(world, SECRETARY, today=TODAY)
    world.write(lambda cur: cur.execute("UPDATE users SET active = false WHERE username = 'lisi'").fetchall())
    with pytest.raises(PermissionDenied, match="没有关联积分对象"):
        self_service.my_points(world, LISI, today=TODAY)


def test_my_points_are_the_staff_figure_of_my_own_subject(world):
    approved = ledger.enter_event(world, RECORDER, "M01", "award_city", D, today=TODAY)
    review.approve(world, SECRETARY, [approved])
    mine = self_service.my_points(world, ZHANGSAN, today=TODAY)
    staff = member_summary(world, SECRETARY, "M01", today=TODAY)
    assert mine == staff and mine["member"] == "张三"
    # 张三's +4 puts him first; 王五 and 李四 tie below; 赵六 (免于评星) is not ranked, 钱七 left
    assert (mine["rank"], mine["ranked"]) == (1, 3)
    assert mine["explain"] and mine["explain"] == explain_lines(
        view_results(world, scope_for(world, SECRETARY), "C01T01B01", 2025, mine["period"], TODAY).output, "M01")
    assert mine["supermarket"] is False and mine["balance"] is None
    assert self_service.my_points(world, LISI, today=TODAY)["member"] == "李四"


def test_a_declaration_with_a_photo_stores_the_photo_once_by_its_hash(world):
    photo = image()
    digest = hashlib.sha256(photo).hexdigest()
    first = declare(world, photo=photo)
    second = declare(world, item="article_city", photo=photo, note="在市报发表《村里的新变化》")
    rows = world.all("SELECT id, member_id, source, evidence, entered_by FROM events ORDER BY id")
    assert rows == [(first, "M01", "declaration", digest, "zhangsan"), (second, "M01", "declaration", digest, "zhangsan")]
    stored = world.all("SELECT hash, mime, size, data, uploaded_by FROM evidence_files")
    assert stored == [(digest, "image/png", len(photo), base64.b64encode(photo).decode(), "zhangsan")]
    # it waits in the secretary's queue as a 自我申报, with its photo to look at
    queue = {r["id"]: r for r in review.review_queue(world, SECRETARY)}
    assert queue[first]["source"] == "declaration" and queue[first]["status"] == "entered"
    assert event_photo(world, SECRETARY, first) == (photo, "image/png")
    with pytest.raises(ScopeError):
        event_photo(world, OTHER_SECRETARY, first)
    assert self_service.my_photo(world, ZHANGSAN, first) == (photo, "image/png")
    with pytest.raises(EntryError, match="未找到本人的申报记录"):
        self_service.my_photo(world, LISI, first)  # 李四 cannot open 张三's photo
    jpeg = image("JPEG")
    third = declare(world, item="article_district", photo=jpeg)
    assert world.scalar("SELECT mime FROM evidence_files WHERE hash = ?", [hashlib.sha256(jpeg).hexdigest()]) == "image/jpeg"
    assert [d["id"] for d in self_service.my_declarations(world, ZHANGSAN)] == [third, second, first]
    assert self_service.my_declarations(world, LISI) == []


REFUSED = [
    (image() + b"\0" * (MAX_BYTES - len(image()) + 1), {}, "照片过大"),  # 5 MB + 1 byte
    (b"%PDF-1.7 not a photo", {}, "不是 jpg 或 png"),  # whatever the file was called
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, {}, "照片已损坏"),  # the signature alone is not a photo
    (b"", {}, "请上传一张照片"),
    (None, {"item": "miss_meeting"}, "不能自行申报"),  # a deduction
    (None, {"item": "reward_other", "points": 12}, "1～10分"),  # a range item outside its range
    (None, {"note": "  "}, "申报说明"),
    (None, {"count": 20}, "每次申报一次"),  # twenty 表彰 in one declaration
    (None, {"day": dt.date(2025, 6, 30)}, "只能申报本周期（2025-07-01 起）"),  # q100's cycle starts 07-01
]


def test_a_refused_declaration_writes_nothing(world):
    for photo, kw, message in REFUSED:  # one world for all: each refusal must leave it empty
        with pytest.raises(EntryError, match=message):
            declare(world, photo=photo, **kw)
        assert counts(world) == (0, 0), message


def test_declarable_items_are_the_bonus_items_of_a_scheme_that_opens_declaration(world):
    scheme, items = self_service.declarable_items(world, ZHANGSAN, TODAY)
    # q100's 12 items less its three deductions (缺席三会一课, 党费, 未完成任务) = 9, 酌情加分 (1..10) among them
    assert scheme.self_declare and len(items) == 9 and "reward_other" in {i.code for i in items}
    world.write(lambda cur: cur.execute("INSERT INTO users(username, display_name, password_hash, role, org_code,"
                                        " subject_id) VALUES ('sunba', '孙八', 'x', 'subject', 'C01T01B02', 'M11')").fetchall())
    from core.auth import User
    sunba = User("sunba", "孙八", "subject", "C01T01B02")
    assert self_service.declarable_items(world, sunba, TODAY)[1] == []  # 二村: q100 as shipped
    with pytest.raises(EntryError, match="未开放自我申报"):
        declare(world, user=sunba)
    assert counts(world) == (0, 0)


def test_a_rejection_reaches_the_declarant_with_its_reason(world):
    event_id = declare(world)
    review.reject(world, SECRETARY, [event_id], "照片看不出是本人，请补充村委会证明")
    (mine,) = self_service.my_declarations(world, ZHANGSAN)
    assert (mine["status_name"], mine["reason"], mine["item"]) == (
        "已驳回", "照片看不出是本人，请补充村委会证明", "获得市委、市政府及省委、省政府部门表彰")
    other = declare(world, item="article_city")
    review.approve(world, SECRETARY, [other])
    assert [d["status_name"] for d in self_service.my_declarations(world, ZHANGSAN)] == ["已通过", "已驳回"]


def test_the_branch_resets_and_disables_its_subjects_logins(world):
    from core.auth import authenticate
    from core.subject_accounts import choices, reset_password, set_active

    assert list(choices(world, SECRETARY)) == ["lisi", "zhangsan"]  # ordered by name: 李四, 张三
    password = reset_password(world, SECRETARY, "zhangsan")
    assert authenticate(world, "zhangsan", password).role == "subject"
    with pytest.raises(ScopeError):  # 二村's secretary, 一村's member: refused and audited
        reset_password(world, OTHER_SECRETARY, "zhangsan")
    with pytest.raises(AuthError, match="不是党员或农户的本人账号"):  # never a staff login
        world.write(lambda cur: cur.execute("INSERT INTO users(username, display_name, password_hash, role, org_code)"
                                            " VALUES ('jilu01', '记分员', 'x', 'recorder', 'C01T01B01')").fetchall())
        set_active(world, SECRETARY, "jilu01", False)
    set_active(world, SECRETARY, "zhangsan", False)
    with pytest.raises(AuthError, match="已停用"):
        authenticate(world, "zhangsan", password)
    assert choices(world, SECRETARY)["zhangsan"].endswith("〔已停用〕")
    actions = world.all("SELECT action FROM audit_log WHERE username = 'shuji01' AND entity_id = 'zhangsan' ORDER BY id")
    assert [a for (a,) in actions] == ["user.reset_password", "user.disable"]
