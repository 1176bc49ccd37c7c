"""Files as village branches really keep them: each imports, or is refused whole with a
Chinese row/column message and nothing written. Expected values are worked out by hand."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from core import imports
from core.imports import ImportRefused
from tests.entry_world import SECRETARY, TODAY, TOWNSHIP, world  # noqa: F401
from tests.import_files import csv, id_number, id_with_x, workbook

FIXTURES = Path(__file__).parent / "fixtures"
ORG = "C01T01B01"  # 一村党支部: 张三 M01, 李四 M02, 王五 M03 active, no ID numbers yet

ZHANG = id_number("11010119850701001")  # 110101198507010018: born 1985-07-01, 17th digit 1: 男
LI = id_number("11010119800315002")  # 110101198003150025: born 1980-03-15, 17th digit 2: 女
ZHOU = id_with_x("11010119700101")  # 11010119700101018X: check character X, 17th digit 8: 女
WU_OLD = "110101850301125"  # a 15-digit ID (issued before 1999): born 1985-03-01, 15th digit 5: 男
WU = "110101198503011259"  # the same as 18 digits: 110101 + 19 + 850301125 + check digit 9
FENG = id_number("11010119750705003")  # 110101197507050031: born 1975-07-05, 男
LOST = float(f"{110101199003071233:.14e}")  # what Excel keeps of an 18-digit number typed as a number


def roster_rows(lost: bool) -> tuple[list[list], list[tuple]]:
    """A 花名册 as a branch keeps it (Excel rows in the comments)."""
    rows = [
        ["一村党支部党员花名册"],                                                     # 1 title
        ["填报单位：一村党支部    填报日期：2025年3月"],                              # 2 subtitle
        ["序号", "党员基本信息", None, None, None, None, None, "其他"],               # 3 merged upper header
        [None, "姓名", "性别", "公民身份号码", "出生年月", "入党时间", "人员类别", "联系电话", "工作单位", "备注"],  # 4
        [1, "张　三", "男", ZHANG, "85.7", dt.date(2010, 7, 1), "普通类", 1.39e10, "村委会", "组长"],  # 5
        [2, "李 四 ", "女", "'" + LI, "1980年3月", "2005-7-1", "普通类", "13800000002", None, None],   # 6
        [],                                                                           # 7 blank between blocks
        [3, "周九", None, ZHOU.lower(), "19700101", "1995.07", None, "１３８０００００００５", None, None],  # 8
        [4, "吴十", None, int(WU_OLD), "85.3", "2024年12月", "农村党员（预备党员）", None, None, None],  # 9
        [5, "冯十二", "男", FENG, "1975.07", "19950701", None, None, None, None],    # 10
    ]
    if lost:
        rows.append([6, "郑十一", "男", LOST, dt.date(1990, 3, 7), None, None, None, None, None])  # 11
    rows += [
        [],
        ["合计", "共5人" if not lost else "共6人"],
        ["填表人：王五", None, None, None, "审核人：赵六"],
        ["备注：1.预备党员在类别后注明；2.身份证号请设为文本"],
        ["2.身份证号请设为文本"],  # still footer: everything below 备注 is
    ]
    # title and subtitle across A:J, 序号 down two rows, the upper header over B:G and H:J
    merges = [(0, 0, 0, 9), (1, 0, 1, 9), (2, 0, 3, 0), (2, 1, 2, 6), (2, 7, 2, 9)]
    return rows, merges


def roster(lost: bool = False) -> bytes:
    return workbook(("花名册", *roster_rows(lost)))


def test_a_branch_roster_with_every_mess_imports(world):
    p = imports.preview(world, SECRETARY, "members", roster(), "花名册.xlsx", ORG, today=TODAY)
    assert p.ok, p.errors.rows()
    # 5 people: 张三 and 李四 already there (matched by name), 周九, 吴十, 冯十二 new; the blank,
    # 合计, 填表人 and 备注 rows are no people; 序号 is not listed as an ignored column, 备注 is
    assert (p.rows, p.added, p.updated, p.unchanged) == (5, 3, 2, 0)
    assert p.extra_columns == ["备注"]
    assert p.header_rows == (3, 4)  # the merged two-row header
    imports.commit(world, SECRETARY, p, today=TODAY)
    got = {r[0]: r[1:] for r in world.all(
        "SELECT name, id_card, gender, birth_date, join_date, category, probationary, probation_start,"
        " probation_end, phone, branch_code FROM members WHERE branch_code = ? AND id_card IS NOT NULL", [ORG])}
    assert got == {
        # '85.7' is 1985-07 (a two-digit year), the ID gives the day; 1.39e10 is 13900000000
        "张三": (ZHANG, "男", dt.date(1985, 7, 1), dt.date(2010, 7, 1), "普通类", False, None, None,
               "13900000000", ORG),
        # the leading apostrophe is dropped; 1980年3月 agrees with the ID's 1980-03-15
        "李四": (LI, "女", dt.date(1980, 3, 15), dt.date(2005, 7, 1), "普通类", False, None, None,
               "13800000002", ORG),
        # lowercase x becomes X; full-width digits in the phone become ASCII
        "周九": (ZHOU, "女", dt.date(1970, 1, 1), dt.date(1995, 7, 1), None, False, None, None,
               "13800000005", ORG),
        # the 15-digit number becomes its 18-digit form; （预备党员） in 类别 makes him probationary,
        # 2024年12月 -> 2024-12-01, the probation one year: to 2025-11-30
        "吴十": (WU, "男", dt.date(1985, 3, 1), dt.date(2024, 12, 1), "农村党员", True, dt.date(2024, 12, 1),
               dt.date(2025, 11, 30), None, ORG),
        # 1975.07 agrees with the ID's 1975-07-05; 19950701 is 1995-07-01
        "冯十二": (FENG, "男", dt.date(1975, 7, 5), dt.date(1995, 7, 1), None, False, None, None, None, ORG),
    }


def test_an_id_number_stored_as_a_number_refuses_its_row_and_nothing_is_written(world):
    before = world.scalar("SELECT count(*) FROM members")
    p = imports.preview(world, SECRETARY, "members", roster(lost=True), "花名册.xlsx", ORG, today=TODAY)
    # Excel kept 15 significant digits: 110101199003071233 -> 110101199003071000
    assert p.errors.rows() == [(11, "公民身份号码", "身份证号以数字保存，已丢失末几位，请把该列设为文本后重新填写")]
    assert "整个文件未导入" in p.summary()
    with pytest.raises(ImportRefused):
        imports.commit(world, SECRETARY, p, today=TODAY)
    assert world.scalar("SELECT count(*) FROM members") == before


def test_the_roster_on_the_second_sheet_behind_a_note(world):
    note = ("填表说明", [["填表说明"], ["1. 身份证号请设为文本格式"], ["2. 日期写成 2001-07-01"]], [])
    p = imports.preview(world, SECRETARY, "members", workbook(note, ("花名册", *roster_rows(False))),
                        "花名册.xlsx", ORG, today=TODAY)
    assert p.ok, p.errors.rows()
    assert (p.added, p.updated) == (3, 2)  # as on a single sheet: the note sheet has no header


def sheet(rows: list[list]) -> list[list]:
    return [["姓名", "身份证号", "入党时间"], *rows]


def test_a_sheet_per_branch_places_each_sheet_in_its_branch(world):
    # a township's workbook: sheets named 一村党支部 and 二村 (二村党支部 without its suffix), no
    # branch column; a 汇总 sheet of counts is not a roster
    book = workbook(("一村党支部", sheet([["周九", ZHOU, "1995.07"]]), []),
                    ("二村", sheet([["吴十", WU, "2010.7"], ["冯十二", FENG, "2000.7.1"]]), []),
                    ("汇总", [["支部", "人数"], ["一村党支部", 1], ["二村", 2]], []))
    p = imports.preview(world, TOWNSHIP, "members", book, "全镇花名册.xlsx", today=TODAY)
    assert p.ok, p.errors.rows()
    assert p.added == 3
    assert p.sheets == ["一村党支部", "二村"]  # 汇总 names too few of the roster's columns
    imports.commit(world, TOWNSHIP, p, today=TODAY)
    placed = world.all("SELECT name, branch_code FROM members WHERE id_card IS NOT NULL ORDER BY name")
    assert placed == [("冯十二", "C01T01B02"), ("吴十", "C01T01B02"), ("周九", "C01T01B01")]


def test_an_error_on_one_of_several_sheets_names_the_sheet(world):
    # row 3 of sheet 二村 has an ID whose check digit is wrong (…1258 instead of …1259)
    book = workbook(("一村党支部", sheet([["周九", ZHOU, "1995.07"]]), []),
                    ("二村", sheet([["冯十二", FENG, "2000.7.1"], ["吴十", WU[:-1] + "8", "2010.7"]]), []))
    p = imports.preview(world, TOWNSHIP, "members", book, "全镇花名册.xlsx", today=TODAY)
    assert p.errors.rows() == [(3, "身份证号", f"工作表「二村」：身份证号「{WU[:-1]}8」校验位不对，请核对")]


def test_an_xls_roster_reads_through_calamine(world):
    # tests/fixtures/roster.xls (BIFF8, Excel 97-2003): a title, 党员姓名/身份证号/出生年月/入党时间,
    # 周九 with his ID as text, 吴十 with his typed as a number (…016992 came back as …017000)
    p = imports.preview(world, SECRETARY, "members", (FIXTURES / "roster.xls").read_bytes(), "花名册.xls", ORG,
                        today=TODAY)
    assert p.errors.rows() == [(4, "身份证号", "身份证号以数字保存，已丢失末几位，请把该列设为文本后重新填写")]
    assert p.shown_add["姓名"].to_list() == ["周九"]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_a_roster_saved_as_csv_in_gbk_or_utf8_with_bom(world, encoding):
    # Excel's 另存为 CSV: the title in the first cell, commas in quotes, the ID with its apostrophe
    data = csv(["一村党支部党员花名册,,,", "序号,姓名,身份证号,入党时间",
                f"1,周九,'{ZHOU},1995.07", f"2,\"吴　十\",{WU_OLD},\"2010年7月\"", "合计,2人,,"], encoding)
    p = imports.preview(world, SECRETARY, "members", data, "花名册.csv", ORG, today=TODAY)
    assert p.ok, p.errors.rows()
    assert p.shown_add.select("行号", "姓名").rows() == [(3, "周九"), (4, "吴十")]
    imports.commit(world, SECRETARY, p, today=TODAY)
    assert world.all("SELECT name, id_card FROM members WHERE id_card IS NOT NULL ORDER BY id_card") == [
        ("周九", ZHOU), ("吴十", WU)]


# -- the events ledger ---------------------------------------------------------------

def ledger() -> bytes:
    rows = [
        ["一村党支部2025年7—8月积分台账"],                                          # 1
        ["日期", "姓名", "积分项目", "分值", "备注"],                                 # 2
        [dt.date(2025, 7, 1), "张 三", "缺席 三会一课", "-2.0", "7月主题党日"],       # 3 date merged A3:A5
        [None, "李四", "向党报党刊投稿并被署名刊发(区级)", "+1", None],              # 4
        [None, "王五", "未完成组织分配任务（分）", "－3", None],                     # 5
        ["7月合计", None, None, "-4", None],                                          # 6 month total
        ["2025.8.3", "李四", "其他积极发挥党员先锋模范作用,经支委会研究酌情加分 ", "2分", "帮扶困难户"],  # 7
        ["2025年8月10日", "张三", "向党报党刊投稿并被署名刊发（市级）（分）", 2, None],  # 8
        ["8月合计", None, None, 4, None],                                             # 9
        ["合计", None, None, 0, None],                                                # 10
    ]
    return workbook(("台账", rows, [(0, 0, 0, 4), (2, 0, 4, 0)]))


def test_an_events_ledger_with_loose_item_names_and_merged_dates(world):
    p = imports.preview(world, SECRETARY, "events", ledger(), "台账.xlsx", ORG, today=TODAY)
    assert p.ok, p.errors.rows()
    assert (p.rows, p.added) == (5, 5)  # rows 3, 4, 5, 7, 8; the three totals skipped
    imports.commit(world, SECRETARY, p, today=TODAY)
    # listed by date: a ledger goes in by branch, member and date, not in the file's order
    got = world.all("SELECT member_id, item, date, points FROM events ORDER BY date, member_id")
    # a fixed item's written value equal to its own (-2, 1, -3, 2) is not stored as entered;
    # reward_other is a range item: its 2分 is kept
    assert got == [
        ("M01", "miss_meeting", dt.date(2025, 7, 1), None),
        ("M02", "article_district", dt.date(2025, 7, 1), None),  # the merged date dates rows 4 and 5 too
        ("M03", "task_undone", dt.date(2025, 7, 1), None),
        ("M02", "reward_other", dt.date(2025, 8, 3), Decimal("2.00")),
        ("M01", "article_city", dt.date(2025, 8, 10), None),
    ]


def test_a_ledger_value_that_is_not_the_items_is_refused_at_its_cell(world):
    rows = [["日期", "姓名", "积分项目", "分值"],
            ["2025-07-01", "张三", "缺席三会一课", "-3分"],  # the item is -2
            ["2025-07-01", "李四", "没有这个项目", "1"]]
    p = imports.preview(world, SECRETARY, "events", workbook(("台账", rows, [])), "台账.xlsx", ORG, today=TODAY)
    assert [(r, c) for r, c, _ in p.errors.rows()] == [(2, "分值"), (3, "积分项目")]
    assert "没有项目「没有这个项目」" in p.errors["问题"][1]
    assert world.scalar("SELECT count(*) FROM events") == 0


# -- files that are no table ---------------------------------------------------------

def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def encrypted() -> bytes:
    # An .xlsx with an open password is an OLE compound file (this signature) whose directory
    # names the streams EncryptionInfo and EncryptedPackage (UTF-16 names); the rest is ciphertext.
    name = lambda s: s.encode("utf-16-le")  # noqa: E731
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + name("EncryptionInfo") + b"\0" * 100
            + name("EncryptedPackage") + bytes(range(256)) * 8)


def headers_only() -> bytes:
    return workbook(("花名册", [["一村党支部党员花名册"], ["姓名", "身份证号", "入党时间"], [], []], []))


@pytest.mark.parametrize(("data", "file_name", "message"), [
    (b"", "花名册.xlsx", "文件「花名册.xlsx」是空的（0 字节），请检查后重新上传"),
    (b"", "花名册.csv", "文件「花名册.csv」是空的（0 字节），请检查后重新上传"),
    (csv([",,", ",,"]), "花名册.csv", "文件「花名册.csv」中没有数据"),
    (headers_only(), "花名册.xlsx", "文件「花名册.xlsx」只有表头（第 2 行），没有数据行"),
    (encrypted(), "花名册.xlsx", "文件「花名册.xlsx」设置了打开密码，无法读取：请在 Excel 中打开，"
                               "「文件 → 信息 → 保护工作簿 → 用密码进行加密」清除密码后保存，再上传"),
    (b"PK\x03\x04" + b"\x00" * 200, "花名册.xlsx",
     "无法读取文件「花名册.xlsx」：文件已损坏或不是有效的 Excel 文件，请用 Excel 打开后另存为 .xlsx 再上传"),
    (docx(), "花名册.xlsx", "文件「花名册.xlsx」是 Word 文档，不是 Excel 表格：请把表格复制到 Excel 中另存为 .xlsx 再上传"),
    (b"\0" * (imports.MAX_BYTES + 1), "花名册.xlsx", "文件超过 20 MB，请拆分后分批导入"),
    (b"%PDF-1.7", "花名册.pdf", "不支持的文件类型「.pdf」，请上传 .xlsx、.xls 或 .csv 文件"),
])
def test_a_file_that_is_no_table_is_refused_with_a_chinese_message(world, data, file_name, message):
    before = world.scalar("SELECT count(*) FROM members")
    with pytest.raises(ImportRefused) as refused:
        imports.preview(world, SECRETARY, "members", data, file_name, ORG, today=TODAY)
    assert str(refused.value) == message
    assert world.scalar("SELECT count(*) FROM members") == before


def test_the_template_unchanged_is_refused_as_empty(world):
    from core.imports.templates import template_bytes

    # downloaded, not filled in, uploaded: the example row is no data, the hidden 选项 sheet no table
    with pytest.raises(ImportRefused, match="只有表头和示例行，没有要导入的数据"):
        imports.preview(world, SECRETARY, "members", template_bytes("members", world, ORG), "模板.xlsx", ORG,
                        today=TODAY)



@pytest.mark.parametrize(("data", "said"), [(b"", "是空的"), (docx(), "是 Word 文档"), (encrypted(), "设置了打开密码")])
def test_the_cli_refuses_a_file_that_is_no_table_with_exit_2_and_no_traceback(tmp_path, capsys, data, said):
    from core.cli import main
    from tests.test_import_cli import _db

    db = _db(tmp_path)
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(data)
    assert main(["import", "members", str(path), "--org", ORG, "--as", "shuji01", "--db", str(db)]) == 2
    out = capsys.readouterr()
    assert said in out.err and "Traceback" not in out.err + out.out


def test_a_ledger_with_a_sheet_per_month_goes_to_the_chosen_branch(world):
    # sheets 7月 and 8月 name no branch: their rows go to the branch the import is for
    head = ["日期", "姓名", "积分项目", "分值"]
    book = workbook(("7月", [head, ["2025-07-01", "张三", "缺席三会一课", "-2"]], []),
                    ("8月", [head, ["2025-08-01", "李四", "缺席三会一课", "-2"],
                             ["2025-08-02", "王五", "没有这个项目", "1"]], []))
    p = imports.preview(world, SECRETARY, "events", book, "台账.xlsx", ORG, today=TODAY)
    # row 3 of sheet 8月 (row 2 is in both sheets: the sheet tells them apart)
    assert p.errors.rows() == [(3, "积分项目", "工作表「8月」：方案「党员积分季度百分制（日常分:评议分=3:1）」中没有项目「没有这个项目」")]
    fixed = workbook(("7月", [head, ["2025-07-01", "张三", "缺席三会一课", "-2"]], []),
                     ("8月", [head, ["2025-08-01", "李四", "缺席三会一课", "-2"]], []))
    p = imports.preview(world, SECRETARY, "events", fixed, "台账.xlsx", ORG, today=TODAY)
    assert p.ok and p.added == 2
    assert p.shown_add.select("行号", "姓名").rows() == [(2, "张三"), (2, "李四")]


def test_probation_written_after_the_name(world):
    # no 党员类别 column: the branch wrote （预备党员） after the name
    data = csv(["姓名,身份证号,入党时间", f"周九（预备党员）,{ZHOU},2025.3"], "utf-8-sig")
    p = imports.preview(world, SECRETARY, "members", data, "花名册.csv", ORG, today=TODAY)
    assert p.ok, p.errors.rows()
    imports.commit(world, SECRETARY, p, today=TODAY)
    # 入党 2025-03-01, probation a year: to 2026-02-28
    assert world.one("SELECT name, probationary, probation_start, probation_end FROM members WHERE id_card = ?",
                     [ZHOU]) == ("周九", True, dt.date(2025, 3, 1), dt.date(2026, 2, 28))


def test_block_titles_between_groups_are_no_people(world):
    # a roster grouped by 党小组: a title row per block, a blank row between blocks
    rows = [["一村党支部党员花名册"], ["序号", "姓名", "身份证号", "入党时间"],
            ["第一党小组"], [1, "周九", ZHOU, "1995.07"], [],
            ["第二党小组"], [2, "吴十", WU, "2010.7"]]
    p = imports.preview(world, SECRETARY, "members", workbook(("花名册", rows, [(0, 0, 0, 3)])), "花名册.xlsx",
                        ORG, today=TODAY)
    assert p.ok, p.errors.rows()
    assert p.shown_add.select("行号", "姓名").rows() == [(4, "周九"), (7, "吴十")]


def test_a_unicode_text_file_excel_saved_with_tabs(world):
    # Excel's 另存为「Unicode 文本」: UTF-16 with a BOM, cells separated by tabs, named .txt
    data = "姓名\t身份证号\t入党时间\r\n周九\t{}\t1995年7月\r\n".format(ZHOU).encode("utf-16")
    p = imports.preview(world, SECRETARY, "members", data, "花名册.txt", ORG, today=TODAY)
    assert p.ok, p.errors.rows()
    assert p.shown_add.select("行号", "姓名").rows() == [(2, "周九")]


def test_the_same_person_on_two_sheets_names_the_earlier_sheet(world):
    book = workbook(("一村党支部", sheet([["周九", ZHOU, "1995.07"]]), []),
                    ("二村", sheet([["冯十二", FENG, "2000.7.1"], ["周九", ZHOU, "1995.07"]]), []))
    p = imports.preview(world, TOWNSHIP, "members", book, "全镇花名册.xlsx", today=TODAY)
    assert p.errors.rows() == [(3, "身份证号", "工作表「二村」：与工作表「一村党支部」第 2 行身份证号重复")]


def test_a_web_page_saved_as_xls_by_another_system(world):
    # a system's "导出Excel" that is an HTML table named .xls, in GBK, the title a cell spanning
    # the columns and 序号 spanning the two header rows
    page = ("<html><head><meta charset='gbk'></head><body><table border=1>"
            "<tr><td colspan=4>一村党支部党员名册</td></tr>"
            "<tr><th rowspan=2>序号</th><th colspan=3>基本信息</th></tr>"
            "<tr><th>姓名</th><th>公民身份号码</th><th>入党日期</th></tr>"
            f"<tr><td>1</td><td>周&nbsp;九</td><td>{ZHOU}</td><td>1995-07-01</td></tr>"
            f"<tr><td>2</td><td>吴十</td><td>{WU}</td><td>2010年7月</td></tr>"
            "</table></body></html>").encode("gbk")
    p = imports.preview(world, SECRETARY, "members", page, "党员信息.xls", ORG, today=TODAY)
    assert p.ok, p.errors.rows()
    assert p.header_rows == (2, 3)
    assert p.shown_add.select("行号", "姓名").rows() == [(4, "周九"), (5, "吴十")]


def test_text_separated_by_tabs_named_xls(world):
    data = f"姓名\t身份证号\t入党时间\n周九\t{ZHOU}\t1995.7\n".encode("gbk")
    p = imports.preview(world, SECRETARY, "members", data, "花名册.xls", ORG, today=TODAY)
    assert p.ok, p.errors.rows()
    assert p.added == 1


def test_a_sheet_named_like_a_branch_that_is_none_is_refused_not_sent_to_the_chosen_branch(world):
    book = workbook(("一村党支部", sheet([["周九", ZHOU, "1995.07"]]), []),
                    ("三村党支部", sheet([["吴十", WU, "2010.7"]]), []))  # there is no 三村
    p = imports.preview(world, SECRETARY, "members", book, "花名册.xlsx", ORG, today=TODAY)
    assert p.errors.rows() == [(2, "所在支部", "工作表「三村党支部」：工作表名「三村党支部」像是支部名称，但未找到该支部"
                                              "（或不在您的管辖范围内）：请改正表名，或在表中填写所在支部")]


def test_a_deduction_written_without_its_sign_and_gender_written_in_full(world):
    # 缺席三会一课 is −2: a ledger's 分值 '2' (the sign dropped) is the item's own value
    rows = [["记分时间", "党员姓名", "考核内容", "加扣分"], ["2025-07-01", "张三", "缺席三会一课（-2分）", "2"]]
    p = imports.preview(world, SECRETARY, "events", workbook(("台账", rows, [])), "台账.xlsx", ORG, today=TODAY)
    assert p.ok, p.errors.rows()
    assert p.shown_add.select("项目", "分值").rows() == [("缺席三会一课", "-2")]
    data = csv(["姓名,性别,身份证号", f"周九,女性,{ZHOU}"], "utf-8-sig")
    p = imports.preview(world, SECRETARY, "members", data, "花名册.csv", ORG, today=TODAY)
    assert p.ok, p.errors.rows()


def test_ids_typed_as_numbers_on_one_sheet_refuse_only_that_sheets_rows(world):
    # 一村 typed its ID numbers as text; 二村 as numbers (every cell: the column is all numbers)
    book = workbook(("一村党支部", sheet([["周九", ZHOU, "1995.07"]]), []),
                    ("二村", sheet([["冯十二", LOST, "2000.7.1"]]), []))
    p = imports.preview(world, TOWNSHIP, "members", book, "全镇花名册.xlsx", today=TODAY)
    assert p.errors.rows() == [(2, "身份证号", "工作表「二村」：身份证号以数字保存，已丢失末几位，请把该列设为文本后重新填写")]


def test_the_note_above_the_header_names_the_branch_when_none_is_chosen(world):
    rows = [["党员花名册"], ["填报单位：二村党支部    填报日期：2025年3月"], ["姓名", "身份证号", "入党时间"],
            ["周九", ZHOU, "1995.07"]]
    p = imports.preview(world, TOWNSHIP, "members", workbook(("Sheet1", rows, [])), "花名册.xlsx", today=TODAY)
    assert p.ok, p.errors.rows()
    assert p.shown_add["所在支部"].to_list() == ["二村党支部"]
    # a branch chosen on the page (or --org) is the user's word and wins over the note
    p = imports.preview(world, TOWNSHIP, "members", workbook(("Sheet1", rows, [])), "花名册.xlsx", ORG, today=TODAY)
    assert p.shown_add["所在支部"].to_list() == ["一村党支部"]


def test_a_workbook_of_empty_sheets_is_refused(world):
    with pytest.raises(ImportRefused, match="^文件「花名册.xlsx」中没有数据$"):
        imports.preview(world, SECRETARY, "members", workbook(("Sheet1", [], []), ("Sheet2", [], [])), "花名册.xlsx",
                        ORG, today=TODAY)


@pytest.mark.parametrize("kind", imports.KINDS)
def test_no_broken_file_gives_any_importer_a_traceback(world, kind):
    import random

    from tests.entry_world import ADMIN

    good = roster()
    broken = {"half.xlsx": good[: len(good) // 2], "noise.xlsx": random.Random(1).randbytes(5000),
              "noise.csv": random.Random(2).randbytes(5000), "nul.csv": b"\0\0\0,\0\n", "bom.csv": b"\xef\xbb\xbf",
              "page.xls": b"<html><body>no table</body></html>", "empty-table.xls": b"<html><table></table></html>",
              "half.xls": (FIXTURES / "roster.xls").read_bytes()[:3000], "open-quote.csv": '姓名\n"周九\n'.encode()}
    user, org = (ADMIN, None) if kind == "orgs" else (SECRETARY, ORG)
    for name, data in broken.items():
        try:
            p = imports.preview(world, user, kind, data, name, org, today=TODAY)
        except ImportRefused as refused:
            assert str(refused) and "Error" not in str(refused), name
        else:
            assert p.errors.height or p.rows, name  # a table was found: it is checked like any other


def test_a_ledger_dates_a_days_rows_with_ditto_but_never_guesses_a_blank(world):
    # '同上' (or 〃) under a date means the same day; a blank date is refused by row and field,
    # never taken from the row above (a forgotten date would be dated silently)
    data = csv(["日期,姓名,积分项目", "2025-07-01,张三,缺席三会一课", "同上,李四,缺席三会一课", "〃,王五,缺席三会一课",
                "2025-08-01,张三,未按时足额交纳党费", "同上,李四,未按时足额交纳党费"])
    p = imports.preview(world, SECRETARY, "events", data, "台账.csv", ORG, today=TODAY)
    assert p.ok, p.errors.rows()
    assert p.shown_add.select("姓名", "日期").rows() == [
        ("张三", dt.date(2025, 7, 1)), ("李四", dt.date(2025, 7, 1)), ("王五", dt.date(2025, 7, 1)),
        ("张三", dt.date(2025, 8, 1)), ("李四", dt.date(2025, 8, 1))]
    blank = csv(["日期,姓名,积分项目", "2025-07-01,张三,缺席三会一课", ",李四,缺席三会一课"])
    p = imports.preview(world, SECRETARY, "events", blank, "台账.csv", ORG, today=TODAY)
    assert p.errors.rows() == [(3, "日期", "「日期」不能为空")]


def test_merged_cells_of_an_xls_are_filled_too():
    from core.io.reader import read_cells

    # roster.xls merges its title over A1:D1 (a MERGEDCELLS record): every cell of it holds the title
    cells = read_cells((FIXTURES / "roster.xls").read_bytes(), "花名册.xls")
    assert cells.row(0) == ("一村党支部党员花名册",) * 4
    assert cells.row(1) == ("党员姓名", "身份证号", "出生年月", "入党时间")  # the rest as it was
