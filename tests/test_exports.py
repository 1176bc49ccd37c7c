"""台账, township report, 积分卡 and 公示 out: workbooks read back with fastexcel/Polars (and
the sheet XML for frozen panes and widths), PDFs turned back into text with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile

import fastexcel
import polars as pl
import pytest

from core.auth import User
from core.cli import main
from core.io import exports
from core.io.card import cards
from core.io.pdf import CJK_FONT, FontMissing, card_pdf
from core.metrics.compare import branch_table
from core.metrics.filters import Filter
from core.io.township import org_scope
from core.services import ledger as ledger_service
from core.services.publicity import open_publicity
from core.services.results import branch_results, result_rows
from tests.conftest import STORES, built_template, copied_store
from tests.entry_world import SECRETARY, TODAY, build, world  # noqa: F401
from tests.publicity_world import BRANCH, approved_event

needs_font = pytest.mark.skipif(not CJK_FONT.exists(), reason="未安装 fonts-noto-cjk")


def _pdf_text(data: bytes, page: int | None = None) -> str:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    chosen = pages if page is None else [pages[page]]
    # fpdf2 maps glyphs to UTF-16; pypdf keeps the high NUL bytes, which carry no text
    return "\n".join(p.extract_text() for p in chosen).replace("\x00", "")


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _sheet(data: bytes, name: str) -> pl.DataFrame:
    """A sheet read under its title row (row 1 is the header)."""
    return pl.read_excel(io.BytesIO(data), sheet_name=name, read_options={"header_row": 1}, infer_schema_length=None)


def _sheet_xml(data: bytes, index: int) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(f"xl/worksheets/sheet{index}.xml").decode()


def _book(world):
    """``world`` (the entry tests' world, built here) is the entry tests' branch (party-q100-3to1, cycle 2025 from 07-01) with a few events:
    Q1: 张三 缺席三会一课 −2 (08-03), 张三 市级投稿 +2 (08-10), 李四 缺席三会一课 −2 (09-05);
    Q2: 李四 未按时交党费 −5 (10-15), 张三 酌情加分 +4 (10-20, note "=HYPERLINK(1)").
    Not counted: 王五's entry still waiting for review, and 王五's entry reversed."""
    build(world)
    approved_event(world, "M01", "miss_meeting", dt.date(2025, 8, 3))
    approved_event(world, "M01", "article_city", dt.date(2025, 8, 10))
    approved_event(world, "M02", "miss_meeting", dt.date(2025, 9, 5))
    approved_event(world, "M02", "late_dues", dt.date(2025, 10, 15))
    ledger_service.enter_event(world, SECRETARY, "M01", "reward_other", dt.date(2025, 10, 20), 4,
                               note="=HYPERLINK(1)", today=TODAY)
    from core.services import review
    review.approve(world, SECRETARY, [e for (e,) in world.all("SELECT id FROM events WHERE item = 'reward_other'")])
    ledger_service.enter_event(world, SECRETARY, "M03", "miss_meeting", dt.date(2025, 8, 20), today=TODAY)
    wrong = approved_event(world, "M03", "late_dues", dt.date(2025, 8, 21))
    ledger_service.reverse_event(world, SECRETARY, wrong, "录错了")


@pytest.fixture(scope="module", params=STORES)
def booked_template(request, tmp_path_factory):
    """``_book``'s store, built once per engine (0.5 s) and copied for each test (0.1 s)."""
    with built_template(request, tmp_path_factory, _book) as template:
        yield template


@pytest.fixture
def booked(request, booked_template, tmp_path):
    with copied_store(request, booked_template, tmp_path) as store:
        yield store


# -- 台账 --------------------------------------------------------------------------------

def test_ledger_has_a_sheet_per_quarter_then_the_summary(booked):
    data = exports.ledger_xlsx(booked, BRANCH, 2025, today=TODAY)
    names = fastexcel.read_excel(data).sheet_names
    # a 七一 cycle: 第1季度 is July to September
    assert names == ["第1季度（7—9月）", "第2季度（10—12月）", "第3季度（1—3月）", "第4季度（4—6月）", "汇总（全年）"]
    assert all(len(n) <= 31 for n in names)


def test_ledger_quarter_sheet_lists_the_effective_events_and_totals_them(booked):
    q1 = _sheet(exports.ledger_xlsx(booked, BRANCH, 2025, today=TODAY), "第1季度（7—9月）")
    assert q1.columns[:11] == ["序号", "日期", "编号", "姓名", "项目", "次数", "分值", "备注", "录入人", "审核人", "审核日期"]
    events = q1.filter(pl.col("日期").is_not_null())
    # the waiting entry and the reversed one (王五) are not in the 台账
    assert events.select("日期", "姓名", "项目", "分值").rows() == [
        ("2025-08-03", "张三", "缺席三会一课", -2.0), ("2025-08-10", "张三", "向党报党刊投稿并被署名刊发（市级）", 2.0),
        ("2025-09-05", "李四", "缺席三会一课", -2.0)]
    assert set(events["审核人"]) == {"shuji01"}
    totals = q1.filter(pl.col("姓名") == "合计（3 条）")
    assert totals["分值"].to_list() == [-2.0]  # −2 + 2 − 2


def test_ledger_quarter_sheet_shows_each_members_quarter_score(booked):
    q1 = _sheet(exports.ledger_xlsx(booked, BRANCH, 2025, today=TODAY), "第1季度（7—9月）")
    scores = q1.select("姓名_1", "日常分（本期）", "评议分（本期）", "奖励分（本期）", "截至本期得分").filter(
        pl.col("姓名_1").is_in(["张三", "李四", "王五"])).sort("姓名_1")
    # 日常分 = base 75 − 2 for 张三 and 李四, 75 for 王五; 奖励分 +2 for 张三's article;
    # 评议分 is half-yearly: 未评 in Q1, and not counted in the score to date
    assert scores.rows() == [("张三", 73.0, "未评", 2.0, 75.0), ("李四", 73.0, "未评", 0.0, 73.0),
                             ("王五", 75.0, "未评", 0.0, 75.0)]


def test_ledger_summary_is_the_results_page(booked):
    data = exports.ledger_xlsx(booked, BRANCH, 2025, today=TODAY)
    summary = _sheet(data, "汇总（全年）")
    expected = result_rows(branch_results(booked, BRANCH, 2025, "cycle", TODAY).output)
    members = summary.filter(pl.col("编号").is_not_null())
    assert members["姓名"].to_list() == [r["姓名"] for r in expected]
    assert members["总分"].to_list() == [r.get("总分") for r in expected]
    assert [c for c in summary.columns if c in expected[0]] == list(expected[0])
    total = summary.filter(pl.col("姓名").str.starts_with("合计"))["总分"].to_list()
    assert total == [pytest.approx(sum(r["总分"] for r in expected if r.get("总分") is not None))]


def test_ledger_freezes_the_header_and_sizes_columns(booked):
    data = exports.ledger_xlsx(booked, BRANCH, 2025, today=TODAY)
    for index in range(1, 6):
        xml = _sheet_xml(data, index)
        # title row and header row stay in view: the pane splits under row 2
        assert re.search(r'<pane ySplit="2" topLeftCell="A3"[^>]*state="frozen"', xml)
        widths = [float(w) for w in re.findall(r'<col [^>]*width="([\d.]+)"', xml)]
        assert widths and max(widths) > 10  # 项目 names are long; widths follow the text
    # the header repeats on every printed page too
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "_xlnm.Print_Titles" in z.read("xl/workbook.xml").decode()


def test_ledger_writes_formula_looking_text_as_text(booked):
    q2 = _sheet(exports.ledger_xlsx(booked, BRANCH, 2025, today=TODAY), "第2季度（10—12月）")
    assert "'=HYPERLINK(1)" in q2["备注"].to_list()
    with zipfile.ZipFile(io.BytesIO(exports.ledger_xlsx(booked, BRANCH, 2025, today=TODAY))) as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_ledger_follows_the_schemes_periods(demo_store):
    # 双河中心小学 runs party-stars-5x20 (07-01, halves); 白杨村 party-village-3type (months)
    halves = fastexcel.read_excel(exports.ledger_xlsx(demo_store, "C01T01B19", 2025)).sheet_names
    assert halves == ["前半年（7—12月）", "后半年（1—6月）", "汇总（全年）"]
    months = fastexcel.read_excel(exports.ledger_xlsx(demo_store, "C01T01B02", 2025)).sheet_names
    assert len(months) == 13 and months[0] == "2025年1月" and months[-1] == "汇总（全年）"


def test_demo_ledger_summary_equals_results(demo_store):
    data = exports.ledger_xlsx(demo_store, "C01T01B01", 2025)
    expected = result_rows(branch_results(demo_store, "C01T01B01", 2025).output)
    summary = _sheet(data, "汇总（全年）").filter(pl.col("编号").is_not_null())
    assert summary.select("编号", "总分").rows() == [(r["编号"], r.get("总分")) for r in expected]


# -- township report --------------------------------------------------------------------

def test_township_report_has_the_comparison_figures(demo_store):
    data = exports.report_xlsx(demo_store, "C01T01", 2025, "2026Q1", today=dt.date(2026, 4, 1))
    sheet = _sheet(data, "支部对比")
    flt = Filter(today=dt.date(2026, 4, 1), cycle=2025, period="2026Q1")
    table = branch_table(demo_store, org_scope(demo_store, None, "C01T01"), flt)
    rows = sheet.filter(pl.col("编码").is_not_null() & pl.col("编码").str.starts_with("C01"))
    assert rows["编码"].to_list() == table["branch"].to_list()
    assert rows["党员数（2026年1—3月）"].to_list() == table["base"].to_list()
    assert rows["平均分（2025年度）"].to_list() == table["average"].to_list()
    total = sheet.filter(pl.col("支部") == f"合计（{table.height} 个支部）")
    assert total["党员数（2026年1—3月）"].to_list() == [table["base"].sum()]
    assert re.search(r'<pane ySplit="2"', _sheet_xml(data, 1))


def test_township_report_has_the_coverage_by_month(demo_store):
    from core.metrics.coverage import STAGES, month_matrix

    today = dt.date(2026, 4, 1)
    data = exports.report_xlsx(demo_store, "C01T01", 2025, "2026Q1", today=today)
    assert fastexcel.read_excel(data).sheet_names == ["支部对比", "月度覆盖"]
    sheet = _sheet(data, "月度覆盖")
    matrix = month_matrix(demo_store, org_scope(demo_store, None, "C01T01"),
                          Filter(today=today, cycle=2025, period="2026Q1"))
    first = matrix.filter(pl.col("branch") == "C01T01B01").sort("month")
    row = sheet.filter(pl.col("编码") == "C01T01B01").row(0, named=True)
    # January to April 2026 (the report is made on 2026-04-01): entries and stage per month
    assert [row[f"{m}月录入条数"] for m in range(1, 5)] == first["entries"].to_list()
    assert [row[f"{m}月进度"] for m in range(1, 5)] == [STAGES[s] for s in first["stage"]]
    total = sheet.filter(pl.col("支部") == "合计").row(0, named=True)
    assert total["1月录入条数"] == matrix.filter(pl.col("month").dt.month() == 1)["entries"].sum()


def test_township_report_as_csv_has_a_bom(demo_store):
    data = exports.report_xlsx(demo_store, "C01T01", 2025, "2026", csv=True)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0].startswith("编码,支部,党员数（2026年1—12月）")


def test_township_report_refuses_a_branch_and_a_bad_period(demo_store):
    with pytest.raises(exports.ExportError, match="请给出乡镇"):
        exports.report_xlsx(demo_store, "C01T01B01", 2025)
    with pytest.raises(exports.ExportError, match="2026Q1"):
        exports.report_xlsx(demo_store, "C01T01", 2025, "Q1")


# -- 积分卡 --------------------------------------------------------------------------------

@needs_font
def test_card_lists_every_entry_with_a_running_total_and_the_result(booked):
    data = exports.card_bytes(booked, BRANCH, 2025, subject="M01", today=TODAY)
    text = _pdf_text(data)
    assert "一村党支部　张三　积分卡" in text
    # 张三's entries: −2 → −2, +2 → 0, +4 → 4 (the running total column)
    card = cards(booked, BRANCH, 2025, "cycle", "M01", TODAY)[0]
    assert [(e["日期"], e["分值"], e["累计加减分"]) for e in card["entries"]] == [
        ("2025-08-03", "-2", "-2"), ("2025-08-10", "2", "0"), ("2025-10-20", "4", "4")]
    for cell in ("2025-08-03", "缺席三会一课", "累计加减分", "积分结果", "计分说明", "第 1 页 / 共 1 页"):
        assert cell in text, cell
    explain = branch_results(booked, BRANCH, 2025, "cycle", TODAY).output["results"]
    first = next(r for r in explain if r["subject"] == "M01")["explain"][0]
    assert first[:12] in text
    assert "None" not in text and "nan" not in text


@needs_font
def test_card_of_a_quarter_shows_the_score_to_date(booked):
    text = _pdf_text(exports.card_bytes(booked, BRANCH, 2025, "Q1", subject="M01", today=TODAY))
    # Q1 only: the two August entries; 截至本期得分 = 日常分 73 + 奖励分 2 = 75
    assert "2025-10-20" not in text
    assert "截至本期得分：75.0" in text and "评议分（本期）：未评" in text


@needs_font
def test_branch_cards_give_each_member_their_own_pages(booked):
    data = exports.card_bytes(booked, BRANCH, 2025, today=TODAY)
    members = [r["姓名"] for r in result_rows(branch_results(booked, BRANCH, 2025, "cycle", TODAY).output)]
    assert _pages(data) == len(members)  # a handful of entries each: one page per member
    for page, name in enumerate(members):
        assert f"{name}　积分卡" in _pdf_text(data, page)


@needs_font
def test_card_header_repeats_across_pages(world):
    from core.services import review

    # 60 entries: the table runs over two pages (approved in one batch: 61 writes, not 120)
    entered = [ledger_service.enter_event(world, SECRETARY, "M01", item, dt.date(2025, month, day), today=TODAY)
               for day in range(1, 31) for item, month in (("miss_meeting", 8), ("article_district", 9))]
    review.approve(world, SECRETARY, entered)
    data = exports.card_bytes(world, BRANCH, 2025, subject="M01", today=TODAY)
    assert _pages(data) >= 2
    second = _pdf_text(data, 1)
    assert "累计加减分" in second and "第 2 页" in second


@needs_font
def test_card_masks_the_id_number(booked):
    if "id_card" not in {c for (c,) in booked.all(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'members'")}:
        pytest.skip("数据库尚无身份证号列（迁移 4）")
    booked.write(lambda cur: cur.execute("UPDATE members SET id_card = '11010519491231002X' WHERE id = 'M01'").fetchall())
    text = _pdf_text(exports.card_bytes(booked, BRANCH, 2025, subject="M01", today=TODAY))
    assert "1101**********002X" in text and "11010519491231002X" not in text


def test_missing_font_says_so_in_chinese(booked, tmp_path):
    with pytest.raises(FontMissing, match="缺少中文字体.*fonts-noto-cjk"):
        card_pdf(cards(booked, BRANCH, 2025, "cycle", "M01", TODAY), font=tmp_path / "none.ttc")


@needs_font
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="未安装 pdftoppm")
def test_card_page_one_renders(booked, tmp_path):
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(exports.card_bytes(booked, BRANCH, 2025, subject="M01", today=TODAY))
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    assert png.stat().st_size > 5_000  # a page with text on it, not a blank one


# -- 公示 ----------------------------------------------------------------------------------

@needs_font
def test_publicity_pdf_carries_what_a_notice_has(world):
    open_publicity(world, SECRETARY, BRANCH, 2025, "Q1", TODAY, TODAY + dt.timedelta(days=6), today=TODAY)
    data = exports.publicity_pdf(world, BRANCH, 2025, "Q1")
    text = _pdf_text(data).replace("\n", "")  # the long title wraps
    for part in ("一村党支部2025—2026年度（2025-07-01至2026-06-30）第1季度（7—9月）党员积分结果公示",
                 "公示期：2025-11-20 至 2025-11-26（共 7 天）", "统计期间：2025-07-01 至 2025-09-30",
                 "请于 2025-11-26 前向支部委员会书面或当面反映", "7 个工作日内", "一村党支部（盖章）",
                 "第 1 页 / 共 1 页"):
        assert part in text, part
    assert re.search(r"年\s+月\s+日", text)


@needs_font
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="未安装 pdftoppm")
def test_publicity_page_one_renders(world, tmp_path):
    open_publicity(world, SECRETARY, BRANCH, 2025, "cycle", TODAY, TODAY + dt.timedelta(days=6), today=TODAY)
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(exports.publicity_pdf(world, BRANCH, 2025))
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "n")], check=True)
    assert next(tmp_path.glob("n*.png")).stat().st_size > 5_000


def test_publicity_not_yet_published_is_refused(booked):
    with pytest.raises(exports.ExportError, match="第2季度（10—12月）尚未发起公示"):
        exports.publicity_pdf(booked, BRANCH, 2025, "Q2")


# -- scope ---------------------------------------------------------------------------------

def test_exports_keep_to_the_scope(booked):
    from core.auth import ScopeError, scope_for
    other = scope_for(booked, User("shuji02", "二村书记", "secretary", "C01T01B02"))
    with pytest.raises(ScopeError):
        exports.ledger_xlsx(booked, BRANCH, 2025, scope=other, today=TODAY)
    with pytest.raises(ScopeError):
        exports.report_xlsx(booked, "C01T01", 2025, "2025Q3", scope=other, today=TODAY)


# -- CLI -----------------------------------------------------------------------------------

def test_cli_exports_each_kind(demo_path, tmp_path, capsys):
    db = ["--db", str(demo_path)]
    assert main(["export", "ledger", "--org", "C01T01B01", "--cycle", "2025", "--out", str(tmp_path / "l.xlsx")] + db) == 0
    assert "已导出台账" in capsys.readouterr().out
    assert fastexcel.read_excel((tmp_path / "l.xlsx").read_bytes()).sheet_names[-1] == "汇总（全年）"
    assert main(["export", "report", "--org", "C01T01", "--cycle", "2025", "--period", "2026Q1",
                 "--out", str(tmp_path / "r.xlsx")] + db) == 0
    if CJK_FONT.exists():
        assert main(["export", "card", "--org", "C01T01B01", "--cycle", "2025", "--subject", "M000006",
                     "--out", str(tmp_path / "c.pdf")] + db) == 0
        assert "积分卡" in _pdf_text((tmp_path / "c.pdf").read_bytes())
        # the demo's branch 1 has an open 公示 of cycle 2026's first quarter
        cycle, period = _open_window(demo_path)
        assert main(["export", "publicity", "--org", "C01T01B01", "--cycle", str(cycle), "--period", period,
                     "--out", str(tmp_path / "p.pdf"), "--as", "shuji01"] + db) == 0
        assert "（盖章）" in _pdf_text((tmp_path / "p.pdf").read_bytes())


def _open_window(path):
    from core.services.publicity import open_window
    from core.store import Store

    store = Store(path)
    try:
        return open_window(store, "C01T01B01")
    finally:
        store.close()


@pytest.mark.parametrize("args, message", [
    (["ledger", "--org", "C01T01", "--cycle", "2025", "--out", "x.xlsx"], "是乡镇（街道），请给出党支部（村）的编码"),
    (["ledger", "--org", "NOPE", "--cycle", "2025", "--out", "x.xlsx"], "未知组织编码：NOPE"),
    (["ledger", "--org", "C01T01B01", "--cycle", "2025", "--out", "x.pdf"], "台账的输出文件应以 .xlsx 结尾"),
    (["ledger", "--org", "C01T01B01", "--cycle", "2025", "--period", "Q9", "--out", "x.xlsx"], "期间应为"),
    (["ledger", "--org", "C01T01B02", "--cycle", "2025", "--as", "shuji01", "--out", "x.xlsx"], "不在您的管辖范围内"),
    (["ledger", "--org", "C01T01B01", "--cycle", "2025", "--as", "nobody", "--out", "x.xlsx"], "未知或已停用的用户"),
    (["card", "--org", "C01T01B01", "--cycle", "2025", "--subject", "NOPE", "--out", "x.pdf"], "未找到成员 NOPE"),
    (["report", "--org", "C01T01", "--cycle", "2025", "--subject", "M1", "--out", "x.xlsx"], "--subject 只用于积分卡"),
])
def test_cli_bad_input_exits_2_in_chinese(demo_path, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(["export", *args, "--db", str(demo_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and message in err
    assert not list(tmp_path.glob("x.*"))  # nothing written


# -- pages ---------------------------------------------------------------------------------

def _downloads(at) -> list[str]:
    return [b.label for b in at.get("download_button")]


def test_results_page_offers_the_ledger(app_as):
    at = app_as("shuji01")
    at.switch_page("pages/results.py").run()
    assert not at.exception, at.exception
    assert "导出台账" in _downloads(at)


def test_member_file_prints_a_card(app_as):
    at = app_as("shuji01")
    at.switch_page("pages/member_file.py").run()
    at.text_input(key="mf_query").input("").run()
    first = at.selectbox(key="mf_member").options[0].rsplit("，", 1)[-1].rstrip("）")  # the label ends in the id
    at.selectbox(key="mf_member").set_value(first).run()
    assert not at.exception, at.exception
    if CJK_FONT.exists():
        assert "打印积分卡" in _downloads(at)


def test_compare_page_offers_the_township_report(app_as):
    at = app_as("zhen01")
    at.switch_page("pages/compare.py").run()
    assert not at.exception, at.exception
    assert "导出乡镇报表" in _downloads(at)
    at = app_as("shuji01")
    at.switch_page("pages/compare.py").run()
    assert "导出乡镇报表" not in _downloads(at)  # a secretary's comparison is one branch


@pytest.mark.browser
def test_browser_downloads_the_ledger(demo_server, browser_page, tmp_path):
    """The button's file is built on the click (a callable), in the server's own thread."""
    from tests.conftest import browser_login, go

    page = browser_page
    browser_login(page, demo_server, "shuji01")
    # through the sidebar, not a page load: on a loaded machine the login's cookie may still be
    # on its way, and a load before it arrives starts logged out (CI once waited 90 s in vain)
    go(page, "积分结果", until=page.get_by_role("button", name="导出台账"))
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="导出台账").click(timeout=90_000)  # the page computes the results first
    path = tmp_path / "ledger.xlsx"
    info.value.save_as(path)
    assert info.value.suggested_filename.startswith("梁寨村党支部_") and info.value.suggested_filename.endswith("_台账.xlsx")
    assert fastexcel.read_excel(path.read_bytes()).sheet_names[-1] == "汇总（全年）"


@needs_font
def test_household_card(store):
    """A 户's card under a village scheme: the household's own entries and result, and its
    people where the store keeps them (migration 4)."""
    from core.services import review
    from tests.entry_world import build

    build(store, "village-4class")  # a calendar cycle: 2025 runs 2025-01-01..2025-12-31
    store.write(lambda cur: (  # a village of households: the world's party members are not its subjects
        cur.execute("DELETE FROM members WHERE branch_code = ?", [BRANCH]).fetchall(),
        cur.execute("INSERT INTO members(id, name, kind, branch_code, initials) VALUES ('H01', '张三户', 'household', ?,"
                    " 'zsh')", [BRANCH]).fetchall()))
    has_people = bool(store.all("SELECT 1 FROM information_schema.tables WHERE table_name = 'household_people'"))
    if has_people:
        store.write(lambda cur: cur.execute(
            "INSERT INTO household_people(household_id, name, relation) VALUES ('H01', '张三', '户主'),"
            " ('H01', '王芳', '配偶')").fetchall())
    for day in (dt.date(2025, 3, 2), dt.date(2025, 6, 9)):
        event = ledger_service.enter_event(store, SECRETARY, "H01", "street_patrol", day, today=TODAY)
        review.approve(store, SECRETARY, [event])
    text = _pdf_text(exports.card_bytes(store, BRANCH, 2025, subject="H01", today=TODAY))
    assert "一村党支部　张三户　积分卡" in text and "类型：农户" in text
    card = cards(store, BRANCH, 2025, "cycle", "H01", TODAY)[0]
    # 街面巡守 +5 twice: the running total reads 5, then 10
    assert [e["累计加减分"] for e in card["entries"]] == ["5", "10"]
    assert card["result"][0]  # the household's result line (its components and total)
    if has_people:
        assert "家庭成员：张三（户主）、王芳（配偶）" in text
