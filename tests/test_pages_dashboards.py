"""The six dashboard pages run for each role that may open them, and a secretary sees only
their own branch."""

import pytest

from tests.conftest import DEMO_TODAY

DASHBOARDS = ["pages/overview.py", "pages/compare.py", "pages/distribution.py", "pages/coverage.py",
              "pages/trends.py", "pages/member_file.py"]


@pytest.mark.parametrize("page", DASHBOARDS)
def test_township_official_opens_each_dashboard(app_as, page):
    at = app_as("zhen01")
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title[0].value


def test_overview_shows_kpis_and_the_demo_alerts(app_as):
    at = app_as("zhen01")
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    # each rate names its calendar months, never "第4季度" (a 七一 cycle's 第1季度 is Jul–Sep)
    quarter = DEMO_TODAY.month - (DEMO_TODAY.month - 1) % 3
    assert f"参与率 · {DEMO_TODAY.year}年{quarter}—{quarter + 2}月" in labels and "在册党员" in labels
    assert f"参与率 · {DEMO_TODAY.year}年{DEMO_TODAY.month}月" in labels
    assert not any("季度" in label for label in labels)
    text = " ".join(m.value for m in at.markdown)
    for rule in ("已 ", "月末3天内集中录入", "总分同为"):
        assert rule in text, rule


def test_alert_link_drills_down_to_the_branch(app_as):
    at = app_as("zhen01")
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    # an alert links to its branch on the page that explains it (tests/test_links.py follows one)
    stale = [e.proto.query_string for e in at.get("page_link") if e.proto.page == "coverage"]
    assert stale and all(q.startswith("branch=C01T01B") for q in stale)


@pytest.mark.parametrize("page", DASHBOARDS)
def test_secretary_sees_only_their_branch(app_as, page):
    at = app_as("shuji01")
    at.switch_page(page).run()
    assert not at.exception, at.exception
    if page == "pages/compare.py":
        table = at.dataframe[0].value
        assert list(table["支部"]) == [at.text_input[0].value]


def test_secretary_member_file_lists_only_own_branch(app_as, demo_db):
    from core.store import Store
    at = app_as("shuji01")
    at.switch_page("pages/member_file.py").run()
    at.text_input(key="mf_query").input("").run()
    ids = [o.rsplit("，", 1)[-1].rstrip("）") for o in at.selectbox(key="mf_member").options]
    store = Store(demo_db)
    try:
        branches = {r[0] for r in store.all(
            "SELECT DISTINCT branch_code FROM members WHERE list_contains(?, id)", [ids])}
    finally:
        store.close()
    assert branches == {"C01T01B01"}


def test_recorder_may_open_member_file_but_not_dashboards(app_as):
    at = app_as("jilu01")
    at.switch_page("pages/member_file.py").run()
    assert not at.exception
    at.switch_page("pages/overview.py").run()
    assert at.error and "无权" in at.error[0].value


def test_chart_table_downloads_neutralise_formulas():
    # a branch name typed as "=HYPERLINK(...)" must reach Excel as text, after the BOM
    import polars as pl
    from ui.charts import csv_bytes
    data = csv_bytes(pl.DataFrame({"支部": ["=HYPERLINK(\"x\")", "梁寨村党支部"], "平均分": [80.5, 90.0]}))
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines()[1].startswith("\"'=HYPERLINK")


def test_compare_labels_each_column_with_its_period_and_shares_over_rated_members(app_as, demo_db):
    import polars as pl

    from core.metrics import scores
    from core.metrics.filters import default_filter
    from core.store import Store

    at = app_as("zhen01")
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    quarter = DEMO_TODAY.month - (DEMO_TODAY.month - 1) % 3
    period = f"{DEMO_TODAY.year}年{quarter}—{quarter + 2}月"
    cycle = default_filter(DEMO_TODAY).cycle
    assert f"参与率（%，{period}）" in table.columns and f"出勤率（%，{period}）" in table.columns
    assert f"平均分（{cycle}年度）" in table.columns  # the township mixes 01-01 and 07-01 schemes
    # 白杨村 (party-village-3type, stars): 不合格 over every rated member of the branch
    store = Store(demo_db)
    try:
        res, _ = scores.results(store, ["C01T01B02"], cycle, DEMO_TODAY)
    finally:
        store.close()
    failed, rated = res.filter(pl.col("grade") == "不合格").height, res.height
    row = table[table["支部"] == "白杨村党支部"].iloc[0]
    assert 0 < failed < rated
    assert row[f"不合格占比（%，{cycle}年度）"] == round(failed * 100 / rated, 1)
    assert row[f"参评人数（{cycle}年度）"] == rated


def test_trends_by_branch_tables_have_chinese_headers(app_as):
    at = app_as("zhen01")
    at.switch_page("pages/trends.py").run()
    at.toggle(key="trend_by_branch").set_value(True).run()
    assert not at.exception
    headers = [c for d in at.dataframe for c in d.value.columns]
    assert headers and all(not c.isascii() for c in headers), headers


@pytest.mark.parametrize(("page", "key", "value"), [
    ("pages/distribution.py", "dist_split", "category"), ("pages/distribution.py", "dist_split", "branch"),
    ("pages/distribution.py", "dist_band", -1), ("pages/coverage.py", "cov_report_by", "community"),
    ("pages/trends.py", "trend_by_branch", True)])
def test_dashboard_variants_speak_plain_chinese(app_as, page, key, value):
    # the other views of each dashboard (a split, a custom range, per branch) pass the same
    # check as every page's first view in test_plain_chinese
    from tests.test_plain_chinese import offences, rendered_text

    at = app_as("zhen01")
    at.switch_page(page).run()
    widget = next(w for kind in ("radio", "selectbox", "toggle") for w in getattr(at, kind) if w.key == key)
    widget.set_value(value).run()
    assert not at.exception, at.exception
    assert not offences(rendered_text(at))
