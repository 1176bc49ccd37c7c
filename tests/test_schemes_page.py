"""积分方案: the scheme in force per branch, and adopting a template."""

import datetime as dt

from core.auth import User
from core.scheme_assignments import assign_scheme, in_force
from tests import metrics_world as world

ADMIN = User("t", "管理员", "admin", "C09")


def test_in_force_shows_inherited_and_own_settings(store):
    world.build(store)  # township C09T01 adopted party-q100-3to1 from 2023-07-01
    rows = in_force(store, world.SCOPE, dt.date(2026, 11, 20))
    assert [r["来源"] for r in rows] == ["继承自测试镇"] * 3
    assign_scheme(store, ADMIN, world.B1, "party-annual-7to3", dt.date(2026, 1, 1), reason="支部试点")
    rows = {r["编码"]: r for r in in_force(store, world.SCOPE, dt.date(2026, 11, 20))}
    assert rows[world.B1]["来源"] == "本支部设置" and "party-annual-7to3" in rows[world.B1]["积分方案"]
    assert rows[world.B1]["启用日期"] == dt.date(2026, 1, 1)
    assert rows[world.B2]["来源"] == "继承自测试镇"
    # before the branch's own start date the township's scheme still applies
    before = {r["编码"]: r for r in in_force(store, world.SCOPE, dt.date(2025, 12, 31))}
    assert "party-q100-3to1" in before[world.B1]["积分方案"]


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
    assert row["来源"] == "本支部设置" and "party-annual-7to3" in row["积分方案"]


def test_secretary_sees_own_scheme_but_no_form(app_as):
    at = app_as("shuji01")
    at.switch_page("pages/schemes.py").run()
    assert not at.exception
    assert list(at.dataframe[0].value["编码"]) == ["C01T01B01"]
    assert not any(b.label == "保存设置" for b in at.button)
