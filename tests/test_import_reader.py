"""Reading messy files: title rows, merged headers, synonyms, dates six ways, CSV encodings."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from core.io.reader import ReadError, clean_names, parse_dates, read_table
from tests.import_files import csv, id_number, xlsx

SYNONYMS = {"name": ("姓名", "党员姓名"), "id_card": ("身份证号", "公民身份号码"), "birth_date": ("出生年月", "出生日期"),
            "join_date": ("入党时间", "入党日期"), "phone": ("联系电话", "手机号码")}


def test_dates_written_six_ways_and_as_excel_day_numbers():
    text = ["2001-07-01", "2001.07.01", "2001.7", "2001年7月1日", "2001/7/1", "20010701", "37073",
            "2001-07-01 00:00:00", "2001.13", "2001-2-30", "明年", None]
    got = pl.DataFrame({"d": text}).select(parse_dates(pl.col("d")))["d"].to_list()
    july = dt.date(2001, 7, 1)
    # 37073 days after 1899-12-30 is 2001-07-01 (Excel's day number); "2001.13" is no month,
    # so it reads as day number 2001 (1905-06-23), which the importers' range check refuses.
    assert got == [july] * 8 + [dt.date(1905, 6, 23), None, None, None]


def test_names_lose_full_width_letters_and_inner_spaces():
    got = pl.DataFrame({"n": ["张　三", " 李 四 ", "Ｗａｎｇ  Ｗｕ", "王五"]}).select(clean_names(pl.col("n")))["n"]
    assert got.to_list() == ["张三", "李四", "Wang Wu", "王五"]


def test_title_row_and_merged_two_row_header_with_extra_columns():
    data = xlsx([["党员姓名", "公民身份号码", None, "入党时间", "备注"],
                 ["张三", id_number("11010119900307123"), dt.date(1990, 3, 7), "2015.7", "x"]],
                title="一村党支部党员花名册", merged=[(0, 1, "基本情况"), (2, 2, "出生"), (3, 4, "党内情况")])
    # the merged upper row: 基本情况 over A:B, 出生 over C (whose lower cell is empty), 党内情况 over D:E
    table = read_table(data, "花名册.xlsx", SYNONYMS | {"birth_date": ("出生年月", "出生日期", "出生")})
    assert table.header_rows == (2, 3)
    assert table.headers == {"name": "党员姓名", "id_card": "公民身份号码", "birth_date": "出生", "join_date": "入党时间"}
    assert table.extra == ["备注"]
    assert table.frame["_row"].to_list() == [4]
    assert table.frame.row(0, named=True)["join_date"] == "2015.7"


def test_an_id_column_of_numbers_is_flagged():
    data = xlsx([["姓名", "身份证号"], ["张三", 110101199003071233], ["李四", 110101198501014560]])
    table = read_table(data, "a.xlsx", SYNONYMS)
    assert table.numeric == {"id_card"}
    # Excel kept 15 significant digits (…071000), held as the nearest double: between 2^56 and
    # 2^57 doubles are 16 apart, 110101199003071000 / 16 = …937.5, to even …938 × 16 = …071008
    assert table.frame["id_card"].to_list() == ["110101199003071008", "110101198501015008"]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_csv_in_gbk_and_utf8_with_or_without_bom(encoding):
    data = csv(["党员花名册", "姓名,出生日期,手机号码", "张三,1990年3月7日,13800000000"], encoding)
    table = read_table(data, "a.csv", SYNONYMS)
    assert table.frame.select("name", "birth_date", "phone").row(0) == ("张三", "1990年3月7日", "13800000000")
    assert table.frame["_row"].to_list() == [3]


def test_a_file_without_a_known_header_or_of_another_type_is_refused():
    with pytest.raises(ReadError, match="没有找到表头"):
        read_table(csv(["a,b", "1,2"]), "a.csv", SYNONYMS)
    with pytest.raises(ReadError, match="不支持的文件类型"):
        read_table(b"x", "a.pdf", SYNONYMS)
    with pytest.raises(ReadError, match="另存为 .xlsx"):
        read_table(b"not a workbook", "a.xlsx", SYNONYMS)
