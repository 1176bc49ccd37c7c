"""AppTest: the 结果运用 page (and its CLI verbs) on a DuckDB file holding tests/results_use_world.py (cycle 2025,
every scheme's 2025 ended before today), as the township and as a branch secretary."""

from __future__ import annotations

import datetime as dt

import pytest

from core.results_use import cases as C
from core.store import Store
from tests import results_use_world as w
from tests.apptest_page import run_page
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def world_file(tmp_path_factory):
    """The world, with B01's 诫勉 case (M06) planned 200 days ago: its 转化期 of six months
    (at most 184 days) has ended, so it is overdue today."""
    path = tmp_path_factory.mktemp("results_use_page") / "w.duckdb"
    store = Store(path)
    users = w.build(store)
    today = dt.date.today()
    C.open_cases(store, users["zhen01"], "C01T01", 2025, today)
    m06 = next(c for c in C.list_cases(store, users["zhen01"], w.B01, today) if c.member_id == "M06")
    C.record_talk(store, users["shuji01"], m06.id, today - dt.timedelta(days=201), "谈话", today=today)
    C.record_plan(store, users["shuji01"], m06.id, "按时参加组织生活", today - dt.timedelta(days=200), today=today)
    store.close()
    return path


@pytest.fixture
def page(world_file, monkeypatch):
    monkeypatch.setenv("JIFEN_DB", str(world_file))
    monkeypatch.chdir(ROOT)
    return lambda user, **state: run_page("pages/results_use.py", user, ru_cycle=2025, **state)


def texts(at) -> str:
    return "\n".join([e.value for e in at.text] + [e.value for e in at.markdown] + [e.value for e in at.caption]
                     + [e.value for e in at.info] + [e.value for e in at.warning] + [e.value for e in at.success])


def test_township_sees_candidates_overdue_and_stars(page):
    at = page(w.USERS["zhen01"])
    assert at.selectbox(key="ru_org").value == "C01T01"  # the township's own, all its branches
    award = at.dataframe[0].value  # the first tab; the others compute only when opened
    assert list(award["姓名"]) == ["张三", "李四", "王五", "周一", "刘一"] and len(at.dataframe) == 1
    at.session_state["ru_tab"] = "处置"
    at.run()
    cases = at.dataframe[0].value
    assert len(cases) == 6 and "1 件处置案件转化期已满、尚未作出决定" in texts(at)
    overdue = cases[cases["姓名"] == "孙八"]["状态"].iloc[0]
    assert overdue.startswith("已逾期 ") and overdue.endswith(" 天（转化期中）")
    at.checkbox(key="ru_late").check().run()
    assert list(at.dataframe[0].value["姓名"]) == ["孙八"]
    at.session_state["ru_tab"] = "星级挂牌"
    at.run()
    assert "★★★★★ 五星党员" in texts(at) and "刘一" in texts(at)
    assert "None" not in texts(at)


def test_secretary_records_a_talk_and_the_township_decides(page):
    at = page(w.USERS["shuji02"], ru_tab="处置")  # B02 only: M12, M13, M15 (处置) and M14, M15 (预备党员)
    assert len(at.dataframe[0].value) == 5
    pick(at, "郑三")
    at.text_area[0].input("指出问题，听取本人想法")
    next(b for b in at.button if b.label == "登记谈心谈话").click().run()
    assert "已登记郑三的谈心谈话" in texts(at)
    # 冯四's 延长预备期: the branch recommends, the township decides (its form offers no branch step)
    pick(at, "冯四")
    assert not any(b.label == "作出决定" for b in at.button)
    next(b for b in at.button if b.label == "提交支部建议（报党委决定）").click().run()
    assert "已提交冯四的支部建议：延长预备期" in texts(at)
    at = page(w.USERS["zhen01"], ru_tab="处置")
    pick(at, "冯四")
    assert not any(b.label.startswith("提交支部建议") for b in at.button)
    next(b for b in at.button if b.label == "作出决定").click().run()
    assert "已作出决定：冯四延长预备期" in texts(at)


def pick(at, name: str) -> None:
    box = at.selectbox(key="ru_case")
    box.select_index(next(i for i, t in enumerate(box.options) if t.startswith(name))).run()


def test_cli_lists_candidates_and_overdue_cases(world_file, capsys):
    """The same file through ``python -m core candidates|cases`` (in process)."""
    import json

    from core.cli import main

    assert main(["candidates", "--org", "C01T01", "--cycle", "2025", "--db", str(world_file)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in out["candidates"]] == ["张三", "李四", "王五", "周一", "刘一"]
    assert [(c["name"], c["reason"]) for c in out["struck_out"]] == [("吴二", "一票否决")]
    assert main(["cases", "--branch", "C01T01", "--overdue", "--db", str(world_file)]) == 0
    cases = json.loads(capsys.readouterr().out)["cases"]
    assert [(c["name"], c["state"]) for c in cases] == [("孙八", "planned")] and cases[0]["overdue_days"] >= 16
    assert main(["cases", "--org", w.B02, "--db", str(world_file), "--as", "shuji01"]) == 2
    assert "不在您的管辖范围内" in capsys.readouterr().err
