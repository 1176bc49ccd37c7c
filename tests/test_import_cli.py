"""`python -m core template …` and `python -m core import …`."""

from __future__ import annotations

import zipfile

import polars as pl

from core.cli import main
from core.store import Store
from tests.entry_world import build
from tests.import_files import csv, id_number


def _db(tmp_path):
    path = tmp_path / "cli.duckdb"
    store = Store(path)
    build(store)
    store.write(lambda cur: cur.execute(
        "INSERT INTO users(username, display_name, password_hash, role, org_code)"
        " VALUES ('shuji01', '一村书记', 'x', 'secretary', 'C01T01B01')").fetchall())
    store.close()
    return path


def test_template_has_headers_an_example_and_drop_downs(tmp_path, capsys):
    db = _db(tmp_path)
    out = tmp_path / "events.xlsx"
    assert main(["template", "events", "--out", str(out), "--org", "C01T01B01", "--db", str(db)]) == 0
    frame = pl.read_excel(out, engine="calamine")
    assert frame.columns == ["姓名", "身份证号", "所在支部", "积分项目", "日期", "分值", "次数", "备注"]
    assert frame.row(0)[0] == "张三" and frame.row(0)[3] == "缺席三会一课"
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert "<dataValidation" in sheet and "选项!$D$1:$D$12" in sheet  # the scheme's 12 items
    assert "缺席三会一课" in pl.read_excel(out, engine="calamine", sheet_name="选项", has_header=False).to_series(-1).to_list()
    members = tmp_path / "members.xlsx"
    assert main(["template", "members", "--out", str(members)]) == 0
    assert "党员类别" in pl.read_excel(members, engine="calamine").columns


def test_import_dry_run_then_import_then_again(tmp_path, capsys):
    db = _db(tmp_path)
    roster = tmp_path / "花名册.csv"
    roster.write_bytes(csv(["一村党支部党员花名册", "姓名,身份证号,出生年月", f"周九,{id_number('11010119850101456')},1985.1"]))
    args = ["import", "members", str(roster), "--org", "C01T01B01", "--as", "shuji01", "--db", str(db)]
    assert main(args + ["--dry-run"]) == 0
    out = capsys.readouterr()
    assert "检查通过（未写入）：共 1 行：新增 1 条" in out.out
    # each step on stderr as it starts (a county's file takes seconds); a dry run writes nothing
    assert out.err == "… 读取并检查 花名册.csv\n"
    assert main(args) == 0
    out = capsys.readouterr()
    assert "已导入（批次 1）" in out.out
    assert out.err == "… 读取并检查 花名册.csv\n… 写入数据库\n"
    assert main(args) == 0
    assert "不会重复添加" in capsys.readouterr().out
    store = Store(db)
    assert store.scalar("SELECT count(*) FROM members WHERE name = '周九'") == 1
    store.close()


def test_import_errors_exit_2_with_the_report_and_nothing_written(tmp_path, capsys):
    db = _db(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv(["姓名,入党日期", "周九,2031.1", ",2001.7"]))
    code = main(["import", "members", str(bad), "--org", "C01T01B01", "--as", "shuji01", "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 2
    report = tmp_path / "bad-错误清单.xlsx"
    assert f"错误清单：{report.resolve()}" in err
    assert "第 2 行「入党日期」" in err and "第 3 行「姓名」" in err
    assert pl.read_excel(report, engine="calamine").columns == ["行号", "列", "问题"]
    store = Store(db)
    assert store.scalar("SELECT count(*) FROM import_batches") == 0
    store.close()
    assert main(["import", "members", str(bad), "--as", "nobody", "--db", str(db)]) == 2



def test_a_filled_in_template_imports_without_its_example_row(tmp_path, capsys):
    """The template's example (row 2) left in place is skipped; the rows typed below it go in."""
    from core.imports.members import COLUMNS
    from tests.import_files import xlsx

    db = _db(tmp_path)
    filled = tmp_path / "filled.xlsx"
    example = [c.example for c in COLUMNS]
    mine = ["周九", id_number("11010119850101456"), "", "1985-01-01"] + [""] * (len(COLUMNS) - 4)
    filled.write_bytes(xlsx([[c.header for c in COLUMNS], example, [v or None for v in mine]]))
    assert main(["import", "members", str(filled), "--org", "C01T01B01", "--as", "shuji01", "--db", str(db)]) == 0
    assert "共 1 行：新增 1 条" in capsys.readouterr().out
    store = Store(db)
    assert store.all("SELECT name FROM members WHERE import_batch IS NOT NULL") == [("周九",)]
    store.close()
