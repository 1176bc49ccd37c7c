"""A small world for 结果运用 (core.results_use), built through the services.

Township C01T01 (测试镇) with three branches, cycle 2025, TODAY = 2026-07-10 (every cycle 2025
below has ended):

B01 一村党支部, party-street-3class (01-01; five dimensions 0–20, total = sum; 优秀 ≥80,
合格 ≥60, 诫勉 below; report_up for the top 3 优秀), each dimension entered:
  M01 张三 20×5 = 100 → 优秀, rank 1, report_up
  M02 李四 18+17+19+20+16 = 90 → 优秀, rank 2, report_up
  M03 王五 17×5 = 85 → 优秀, rank 3, report_up
  M04 赵六 16×5 = 80 → 优秀, rank 4 (no report_up: only the top 3)
  M05 钱七 12×5 = 60 → 合格
  M06 孙八 10×5 = 50 → 诫勉 (a 处置 case)

B02 二村党支部, party-rural-80-20 (entered grade; vetoes are `handle`; probation entered):
  M11 周一 优秀 → candidate (no report_up rule: the top grade)
  M12 吴二 优秀 and veto absent_6_months (handle) → struck out (一票否决), a 处置 case
  M13 郑三 基本合格 → a 处置 case
  M14 冯四 合格, probationary, 延长预备期 → a probation_extend case
  M15 陈五 不合格, probationary, 取消预备党员资格 → a 处置 case and a probation_cancel case

B03 三村党支部, party-stars-5x20 (07-01; 学习提高 20, 争创佳绩 12 + excellence, 遵纪守法 20,
服务群众 entered, 弘扬正气 14; stars ≥90 → 5 … ≥60 → 2; 5 stars → report_up; ≤2 → 批评教育):
  M21 刘一 服务 20, excellence +8 → 20+20+20+20+14 = 94 → 5 stars, report_up
  M22 陈二 服务 18 → 20+12+20+18+14 = 84 → 4 stars
  M23 林三 服务 0 → 20+12+20+0+14 = 66 → 2 stars, 批评教育

Users: admin (county), zhen01 (township C01T01), shuji01 (secretary of B01), shuji02
(secretary of B02), jilu01 (recorder of B01).
"""

from __future__ import annotations

import datetime as dt

from core.auth import User, get_user
from core.first_run import setup
from core.org_admin import create_org
from core.scheme_assignments import assign_scheme
from core.services.appraisal import save_grid
from core.services.ledger import enter_event
from core.services.review import approve
from core.services.vetoes import add_veto

TODAY = dt.date(2026, 7, 10)
PASSWORD = "results-use-pw-1"
B01, B02, B03 = "C01T01B01", "C01T01B02", "C01T01B03"
STREET = {"M01": [20] * 5, "M02": [18, 17, 19, 20, 16], "M03": [17] * 5, "M04": [16] * 5, "M05": [12] * 5,
          "M06": [10] * 5}
RURAL = {"M11": "优秀", "M12": "优秀", "M13": "基本合格", "M14": "合格", "M15": "不合格"}
MEMBERS = ([(m, n, B01, False) for m, n in zip(STREET, "张三 李四 王五 赵六 钱七 孙八".split())]
           + [(m, n, B02, m in ("M14", "M15")) for m, n in zip(RURAL, "周一 吴二 郑三 冯四 陈五".split())]
           + [("M21", "刘一", B03, False), ("M22", "陈二", B03, False), ("M23", "林三", B03, False)])

USERS = {u.username: u for u in (User("zhen01", "孙丽", "township", "C01T01"), User("shuji01", "王建国", "secretary", B01),
                                 User("shuji02", "李强", "secretary", B02), User("shuji03", "周敏", "secretary", B03),
                                 User("jilu01", "刘芳", "recorder", B01))}


def build(store) -> dict:
    admin = setup(store, "C01", "测试县", "admin", PASSWORD, "县管理员")
    town = create_org(store, admin, "测试镇", "C01", "township", code="C01T01")
    for code, name in ((B01, "一村党支部"), (B02, "二村党支部"), (B03, "三村党支部")):
        create_org(store, admin, name, town, "branch", kind="村", code=code)

    def members(cur):
        for mid, name, branch, probationary in MEMBERS:
            cur.execute("INSERT INTO members(id, name, branch_code, status, category, probationary, joined_branch)"
                        " VALUES (?, ?, ?, 'active', '普通类', ?, DATE '2020-01-01')",
                        [mid, name, branch, probationary]).fetchall()

    store.write(members)
    day = dt.date(2024, 1, 1)
    assign_scheme(store, admin, B01, "party-street-3class", day, reason="街道方案")
    assign_scheme(store, admin, B02, "party-rural-80-20", day, reason="农村方案")
    assign_scheme(store, admin, B03, "party-stars-5x20", day, reason="星级方案")
    # The logins share the admin's password hash: hashing each (argon2id) would cost a second.
    def logins(cur):
        hashed = cur.execute("SELECT password_hash FROM users WHERE username = 'admin'").fetchone()[0]
        for user in USERS.values():
            cur.execute("INSERT INTO users(username, display_name, password_hash, role, org_code)"
                        " VALUES (?, ?, ?, ?, ?)", [user.username, user.display_name, hashed, user.role,
                                                    user.org_code]).fetchall()

    store.write(logins)
    users = {"admin": get_user(store, "admin"), **USERS}
    s1, s2, s3 = users["shuji01"], users["shuji02"], users["shuji03"]
    for i, dim in enumerate(("组织生活", "创先争优", "服务群众", "遵纪守法", "群众反映")):
        save_grid(store, s1, B01, 2025, dim, "cycle", [{"member_id": m, "value": v[i]} for m, v in STREET.items()],
                  today=TODAY)
    save_grid(store, s2, B02, 2025, "grade", "cycle", [{"member_id": m, "grade": g} for m, g in RURAL.items()],
              today=TODAY)
    save_grid(store, s2, B02, 2025, "probation", "cycle",
              [{"member_id": "M14", "grade": "延长预备期"}, {"member_id": "M15", "grade": "取消预备党员资格"}],
              today=TODAY)
    add_veto(store, s2, "M12", "absent_6_months", dt.date(2025, 10, 1), "连续6个月未参加组织生活", today=TODAY)
    save_grid(store, s3, B03, 2025, "服务群众", "cycle",
              [{"member_id": "M21", "value": 20}, {"member_id": "M22", "value": 18}, {"member_id": "M23", "value": 0}],
              today=TODAY)
    approve(store, s3, [enter_event(store, s3, "M21", "excellence", dt.date(2025, 9, 1), points=8, today=TODAY)])
    return users
