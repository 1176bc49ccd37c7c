"""积分方案: the scheme in force per branch, and adopting a template."""

import datetime as dt

from core.scheme import load_scheme
from core.auth import User
from core.scheme_assignments import TRACKS, assign_scheme, in_force
from tests import metrics_world as world

ADMIN = User("t", "管理员", "admin", "C09")


def test_in_force_shows_inherited_and_own_settings(store):
    world.build(store)  # township C09T01 adopted party-q100-3to1 from 2023-07-01
    rows = in_force(store, world.SCOPE, dt.date(2026, 11, 20))
    assert [r["来源"] for r in rows] == ["继承自测试镇"] * 3
    assign_scheme(store, ADMIN, world.B1, "party-annual-7to3", dt.date(2026, 1, 1), reason="支部试点")
    rows = {r["编码"]: r for r in in_force(store, world.SCOPE, dt.date(2026, 11, 20))}
    assert rows[world.B1]["来源"] == "本支部设置" and rows[world.B1]["积分方案"] == load_scheme("party-annual-7to3").name
    assert rows[world.B1]["启用日期"] == dt.date(2026, 1, 1)
    assert rows[world.B2]["来源"] == "继承自测试镇"
    # before the branch's own start date the township's scheme still applies
    before = {r["编码"]: r for r in in_force(store, world.SCOPE, dt.date(2025, 12, 31))}
    assert before[world.B1]["积分方案"] == load_scheme("party-q100-3to1").name


def test_township_adopts_a_template_on_the_page(app_as):
    at = app_as("zhen01")
    at.switch_page("pages/schemes.py").run()
    assert not at.exception
    at.selectbox(key="sc_org").set_value("C01T01B02")
    at.selectbox(key="sc_scheme").set_value("party-annual-7to3")
    at.text_input(key="sc_reason").input("镇党委会议研究决定")
    at.button(key="FormSubmitter:assign_scheme-保存设置").click().run()
    assert not at.exception
    (message,) = [s.value for s in at.success]
    assert message.startswith("已设置：") and "（C01T01B02）" in message and f"{dt.date.today():%Y-%m-%d} 起使用" in message
    table = at.dataframe[0].value
    row = table[table["编码"] == "C01T01B02"].iloc[0]
    # the page names a scheme, not its file id
    assert row["来源"] == "本支部设置" and row["积分方案"] == "党员积分年度百分制（日常积分:评议积分=7:3）"


def test_template_shows_its_decisions_as_说明_and_its_source_by_title(app_as):
    at = app_as("zhen01")
    at.switch_page("pages/schemes.py").run()
    at.selectbox(key="sc_view").set_value("party-q100-3to1").run()
    assert not at.exception
    caption = " ".join(c.value for c in at.caption)
    # seed 000_334651ef0aa99eba.txt, 第二篇: its title and section, never the file name
    assert "来源：关于落实《秦汉新城教育卫体局党员积分制管理办法》的通知（正阳二学区）（第二篇）" in caption
    assert ".txt" not in caption
    assert [e.label for e in at.expander] == ["说明"]
    notes = [t.value for t in at.expander[0].text]
    assert "· 无评议记录按 0 分计，并提示。" in notes  # "并提示 missing_appraisal" without the code
    assert not any("Decision" in n or "决定：" in n for n in notes)
    items = at.dataframe[1].value
    assert "代码" not in items.columns and "缺席三会一课" in list(items["项目"])
    assert items[items["项目"] == "缺席三会一课"].iloc[0]["类别"] == "日常行为"  # category code daily, by its name


def test_secretary_sees_own_scheme_but_no_form(app_as):
    at = app_as("shuji01")
    at.switch_page("pages/schemes.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    # only the secretary's own branch: one row per track it runs (the demo's B01 is one of the two
    # villages with households, so the 户 scheme is listed beside the party scheme)
    assert set(table["编码"]) == {"C01T01B01"} and table["类别"].iloc[0] == TRACKS["party"]
    assert len(table) == len(set(table["类别"]))
    assert not any(b.label == "保存设置" for b in at.button)
