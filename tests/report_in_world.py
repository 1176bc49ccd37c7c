"""A small street for the report-in tests: two communities, a county department's 机关党支部
of 25 in-service members, and a village of another township (outside both sides' scopes).

County C01 → street C01T01 (社区 A C01T01B01, 社区 B C01T01B02, 县农业农村局机关党支部
C01T01B03 with D01..D25, work unit 县农业农村局) → town C01T02 (village C01T02B01 with X01).
Today is 2025-11-20.
"""

from __future__ import annotations

import datetime as dt

from core.auth import User

TODAY = dt.date(2025, 11, 20)
A, B, DEPT, VILLAGE = "C01T01B01", "C01T01B02", "C01T01B03", "C01T02B01"
ADMIN = User("admin", "县管理员", "admin", "C01")
STREET = User("jiedao", "街道组织委员", "township", "C01T01")
COMMUNITY = User("shequ", "阳光社区书记", "secretary", A)
COMMUNITY_RECORDER = User("shequ_jl", "阳光社区记分员", "recorder", A)
DEPARTMENT = User("jiguan", "农业农村局支部书记", "secretary", DEPT)
OUTSIDER = User("cun", "某村书记", "secretary", VILLAGE)
ORGS = [
    ("C01", "测试县", "county", "county", None),
    ("C01T01", "城关街道", "township", "street", "C01"),
    (A, "阳光社区党支部", "branch", "community", "C01T01"),
    (B, "东苑社区党支部", "branch", "community", "C01T01"),
    (DEPT, "县农业农村局机关党支部", "branch", "机关", "C01T01"),
    ("C01T02", "河口镇", "township", "town", "C01"),
    (VILLAGE, "前进村党支部", "branch", "village", "C01T02"),
]
NAMES = "赵一 钱二 孙三 李四 周五 吴六 郑七 王八 冯九 陈十 褚一 卫二 蒋三 沈四 韩五 杨六 朱七 秦八 尤九 许十 何一 吕二 施三 张四 孔五".split()
DEPT_MEMBERS = [f"D{i:02d}" for i in range(1, 26)]


def build(store) -> None:
    def work(cur):
        for code, name, level, kind, parent in ORGS:
            path = {"C01": "/C01/"}.get(code) or (f"/C01/{code}/" if level == "township" else f"/C01/{parent}/{code}/")
            cur.execute("INSERT INTO orgs(code, name, level, kind, parent_code, path, county_code, township_code,"
                        " branch_code) VALUES (?, ?, ?, ?, ?, ?, 'C01', ?, ?)",
                        [code, name, level, kind, parent, path, None if level == "county" else (code if level == "township" else parent),
                         code if level == "branch" else None]).fetchall()
        rows = [(mid, name, DEPT, "县农业农村局") for mid, name in zip(DEPT_MEMBERS, NAMES)]
        rows += [("X01", "外村党员", VILLAGE, None), ("R01", "社区党员", A, None)]
        for mid, name, branch, unit in rows:
            cur.execute("INSERT INTO members(id, name, branch_code, status, work_unit, department, category)"
                        " VALUES (?, ?, ?, 'active', ?, ?, '在职')", [mid, name, branch, unit, unit]).fetchall()

    store.write(work)


def posts(store) -> tuple[int, int]:
    """Two posts of 社区 A (政策宣传, 环境整治); returns their ids."""
    from core.reportin.posts import add_post

    return (add_post(store, COMMUNITY, A, "政策宣传", "宣传党的政策"),
            add_post(store, COMMUNITY, A, "环境整治", "小区环境卫生"))
