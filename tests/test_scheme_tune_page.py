"""AppTest: 积分方案's 调整方案 and 版本对比 on a DuckDB file holding tests/tune_world.py, as the
township (edit 优秀's quota 20% → 15%, 模拟 on cycle 2025's data, 采用) and as a secretary."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth import add_user
from core.store import Store
from tests import tune_world as w
from tests.apptest_page import run_page
from tests.conftest import ROOT

PASSWORD = "tune-page-pw-1"


@pytest.fixture
def page(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    store = Store(path)
    w.build(store)
    add_user(store, "zhen01", PASSWORD, "township", "C01T01", "镇组织委员", actor="admin")
    add_user(store, "shuji01", PASSWORD, "secretary", w.B01, "一村书记", actor="admin")
    store.close()
    monkeypatch.setenv("JIFEN_DB", str(path))
    monkeypatch.chdir(ROOT)
    # the world's day (2025-11-20): its cycle 2025 is then 本周期, whatever day the test runs
    monkeypatch.setattr("ui.filters.today", lambda: w.TODAY)
    return lambda user: run_page("pages/schemes.py", user)


def texts(at) -> str:
    return "\n".join([e.value for e in at.text] + [e.value for e in at.markdown] + [e.value for e in at.caption]
                     + [e.value for e in at.info] + [e.value for e in at.success] + [e.value for e in at.error])


def test_township_simulates_and_adopts_a_quota(page):
    at = page(w.TOWNSHIP)
    at.selectbox(key="sc_t_org").set_value("C01T01").run()
    at.selectbox(key="sc_t_cycle").set_value(2025).run()
    quota = at.number_input(key=f"sc_f_C01T01_party_{w.QUOTA}")
    assert quota.value == 20.0 and "（可调范围 5～30）" in quota.label
    quota.set_value(15.0).run()
    assert not any(b.label == "采用" for b in at.button)  # no 采用 before 模拟
    at.button(key="sc_simulate").click().run()
    assert not at.exception
    shown = texts(at)
    assert "沿用该方案的 2 个支部、15 个积分对象" in shown and "2 个对象的总分、等次、星级或名次会变化" in shown
    dist = at.dataframe[1].value  # [0] is the schemes in force
    assert dist.iloc[0].tolist() == ["优秀", 3, 1, "3", "1"]
    moved = at.dataframe[2].value
    assert list(moved["姓名"]) == ["党员W01", "党员W10"] and list(moved["新等级"]) == ["合格", "合格"]
    assert [e.label for e in at.expander][:2] == ["党员W01（一村党支部）：优秀 → 合格", "党员W10（二村党支部）：优秀 → 合格"]
    assert "None" not in shown
    at.date_input(key="sc_t_from").set_value(dt.date(2025, 11, 1))
    at.text_input(key="sc_t_reason").input("镇党委会议研究决定")
    at.button(key="FormSubmitter:sc_adopt-采用").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["已采用：测试镇调整版 2025-11-01，自 2025-11-01 起施行（党员积分季度百分制（日常分:评议分=3:1） 1.1 版）"]
    table = at.dataframe[0].value
    assert set(table["调整版本"]) == {"测试镇调整版 2025-11-01"}
    # 版本对比 defaults to the newest version against its template
    at.selectbox(key="sc_v_org").set_value(w.B01).run()
    lines = next(d.value for d in at.dataframe if "内容" in d.value.columns)
    assert lines["原值"].tolist()[-1] == "20" and lines["新值"].tolist()[-1] == "15"


def test_secretary_sees_versions_but_cannot_tune(page):
    at = page(w.SECRETARY)
    assert "调整方案" not in [h.value for h in at.subheader] and "版本对比" in [h.value for h in at.subheader]
    assert not any(b.label == "模拟" for b in at.button)
    assert at.selectbox(key="sc_v_org").value == w.B01
    assert "方案模板原样" in at.selectbox(key="sc_v_second").options



def test_tune_cli_lists_simulates_and_adopts(tmp_path, capsys):
    import json

    from core.cli import main

    path = tmp_path / "cli.duckdb"
    store = Store(path)
    w.build(store)
    add_user(store, "zhen01", PASSWORD, "township", "C01T01", "镇组织委员", actor="admin")
    store.close()
    base = ["tune", "--db", str(path), "--org", "C01T01", "--as", "zhen01"]
    assert main(base + ["--fields"]) == 0
    fields = {f["path"]: f for f in json.loads(capsys.readouterr().out)}
    assert fields[w.QUOTA]["value"] == 20 and fields[w.QUOTA]["bounds"] == [5, 30]
    assert main(base + ["--set", f"{w.QUOTA}=40"]) == 2
    assert "须在 5 至 30 之间，实为 40" in capsys.readouterr().err
    assert main(base + ["--set", f"{w.QUOTA}=15", "--cycle", "2025"]) == 0
    sim = json.loads(capsys.readouterr().out)
    assert [(c["name"], c["old"]["grade"], c["new"]["grade"]) for c in sim["changes"]] == [
        ("党员W01", "优秀", "合格"), ("党员W10", "优秀", "合格")]
    assert main(base + ["--set", f"{w.QUOTA}=15", "--adopt", "--from", "2025-11-01", "--reason", "镇党委会议研究"]) == 0
    assert json.loads(capsys.readouterr().out)["version_label"] == "测试镇调整版 2025-11-01"
