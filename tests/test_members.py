import pytest

from core import members, pinyin
from core.auth import get_user, scope_for


def test_pinyin_keys():
    assert pinyin.keys("张三") == ("zs", "zhangsan")
    assert pinyin.keys("曾颖") == ("zy", "zengying")  # 曾 as a surname reads zēng
    assert pinyin.keys("单雪") == ("sx", "shanxue")


@pytest.fixture
def people(store):
    def work(cur):
        cur.execute("INSERT INTO orgs(code, name, level, path) VALUES"
                    " ('C01', '临河县', 'county', '/C01/'),"
                    " ('B1', '王庄村党支部', 'branch', '/C01/B1/'), ('B2', '李寨村党支部', 'branch', '/C01/B2/')").fetchall()
        for mid, name, branch in [("M1", "张三", "B1"), ("M2", "张珊珊", "B1"), ("M3", "赵四", "B1"),
                                  ("M4", "周帅", "B2"), ("M5", "李明", "B2")]:
            initials, full = pinyin.keys(name)
            cur.execute("INSERT INTO members(id, name, branch_code, initials, pinyin) VALUES (?, ?, ?, ?, ?)",
                        [mid, name, branch, initials, full]).fetchall()
        cur.execute("INSERT INTO users(username, display_name, password_hash, role, org_code) VALUES"
                    " ('adm', 'a', 'x', 'admin', 'C01'), ('s1', 's', 'x', 'secretary', 'B1')").fetchall()
    store.write(work)
    return store


def names(frame):
    return sorted(frame["姓名"].to_list())


def test_search_by_initials_name_and_full_pinyin(people):
    scope = scope_for(people, get_user(people, "adm"))
    # zs: 张三, 张珊珊 (zss), 赵四 and 周帅 all start with z-s
    assert names(members.search(people, scope, "zs")[0]) == sorted(["张三", "张珊珊", "赵四", "周帅"])
    assert names(members.search(people, scope, "zss")[0]) == ["张珊珊"]
    assert names(members.search(people, scope, "ZS")[0]) == sorted(["张三", "张珊珊", "赵四", "周帅"])
    assert names(members.search(people, scope, "张")[0]) == ["张三", "张珊珊"]
    assert names(members.search(people, scope, "zhangs")[0]) == ["张三", "张珊珊"]
    frame, total = members.search(people, scope, "")
    assert total == 5


def test_search_respects_scope(people):
    scope = scope_for(people, get_user(people, "s1"))
    assert names(members.search(people, scope, "zs")[0]) == sorted(["张三", "张珊珊", "赵四"])
    assert [r[1] for r in members.pick(people, scope, "lm")] == []


def test_search_pages(people):
    scope = scope_for(people, get_user(people, "adm"))
    first, total = members.search(people, scope, "", limit=2, offset=0)
    second, _ = members.search(people, scope, "", limit=2, offset=2)
    assert total == 5 and len(first) == 2 and len(second) == 2
    assert not set(first["编号"]) & set(second["编号"])


def test_categories_in_use(people):
    people.write(lambda cur: cur.execute("UPDATE members SET category = CASE WHEN id IN ('M1', 'M2') THEN '骨干类'"
                                         " WHEN id = 'M3' THEN '普通类' ELSE NULL END").fetchall())
    assert sorted(members.categories(people)) == ["普通类", "骨干类"]
