"""Issue 9's "done when", from the command line, as a new township would: an empty database,
its admin, the tree and rosters from messy files, a scheme, a year of points, a bad file
refused by row, a 公示 and a 积分卡 in Chinese, the 台账, and a backup restored."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys

import polars as pl
import pytest

from core.auth import get_user
from core.cli import main
from core.services.publicity import open_publicity
from core.store import Store
from tests.import_files import csv, id_number, xlsx

REWARD = "其他积极发挥党员先锋模范作用，经支委会研究酌情加分"  # range 1..10, 奖励分
ID_ZHOU = id_number("33052119700305101")
ID_WU = id_number("33052119820611102")
COUNTED = ["orgs", "members", "events", "users", "scheme_assignments", "publicity", "import_batches"]


def pdf_text(path) -> str:
    from pypdf import PdfReader
    # pypdf keeps fpdf2's UTF-16 high NUL bytes and spaces out CJK glyphs; compare without either
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in PdfReader(path).pages))


def counts(db) -> dict[str, int]:
    store = Store(db)
    try:
        return {t: store.scalar(f"SELECT count(*) FROM {t}") for t in COUNTED}
    finally:
        store.close()


@pytest.fixture
def files(tmp_path):
    orgs = tmp_path / "组织.xlsx"
    orgs.write_bytes(xlsx([
        ["编码", "名称", "上级党组织", "层级", "类型", "书记"],
        ["C01T01", "青山镇党委", "C01", "乡镇", None, "周立"],
        ["C01T01B01", "东风村党支部", "C01T01", "支部", "村", "王建国"],
        ["C01T01B02", "红旗村党支部", "C01T01", "支部", "村", "李明"],
    ], title="青山镇党组织设置情况一览表", merged=[(0, 1, "党组织")]))
    # 东风村: the township's roster, with a branch column, a 序号 and a 备注 nobody imports
    roster = tmp_path / "东风村花名册.xlsx"
    roster.write_bytes(xlsx([
        ["序号", "姓名", "性别", "出生年月", "入党时间", "身份证号", "联系电话", "党员类别", "所在支部", "备注"],
        [1, "周一", "男", "1970.03", "1995年7月1日", ID_ZHOU, 13900000001, "正式党员", "东风村党支部", ""],
        [2, "吴　二 ", "女", dt.datetime(1982, 6, 11), "20050701", ID_WU, 13900000002, "正式党员", "东风村党支部", "流动"],
        [3, "郑三", "男", "1990/1/2", "2024.12", None, None, "预备党员", "东风村党支部", ""],
    ], title="东风村党支部党员花名册", merged=[(3, 4, "时间")]))
    # 红旗村 keeps its own roster as a GBK CSV, with no branch column (--org)
    gbk = tmp_path / "红旗村.csv"
    gbk.write_bytes(csv(["姓名,性别,出生年月,入党时间,联系电话", "陈四,男,1975/5/5,2000年7月,13900000004",
                         "卫五,女,19880808,2010.7,13900000005"]))
    events = tmp_path / "台账.xlsx"
    events.write_bytes(xlsx([
        ["姓名", "所在支部", "积分项目", "日期", "分值", "记录人"],
        ["周一", "东风村党支部", "缺席三会一课", "2025.8.1", None, "刘芳"],            # Q1 −2
        ["周一", "东风村党支部", REWARD, "2026年1月5日", 3, "刘芳"],                 # 奖励 +3
        ["吴二", "东风村党支部", "未按时足额交纳党费", "20251010", None, "刘芳"],     # Q2 −5
        ["陈四", "红旗村党支部", "向党报党刊投稿并被署名刊发（区级）", dt.datetime(2026, 4, 2), None, "刘芳"],
    ], title="青山镇2025—2026年度党员积分台账"))
    bad = tmp_path / "有错的台账.xlsx"
    bad.write_bytes(xlsx([
        ["姓名", "所在支部", "积分项目", "日期", "分值"],
        ["周一", "东风村党支部", "缺席三会一课", "2025-13-45", None],          # row 3: no such date
        ["查无此人", "东风村党支部", "缺席三会一课", "2025-08-01", None],      # row 4: unknown member
        ["周一", "东风村党支部", REWARD, "2025-08-02", 50],                    # row 5: out of 1..10
        ["吴二", "东风村党支部", "未完成组织分配任务", "2025-09-09", None],    # row 6
        ["吴二", "东风村党支部", "未完成组织分配任务", "2025-09-09", None],    # row 7: duplicate of 6
    ], title="有问题的台账"))
    return {"orgs": orgs, "roster": roster, "gbk": gbk, "events": events, "bad": bad}


def test_a_township_starts_from_an_empty_database(tmp_path, files, monkeypatch, capsys):
    db = tmp_path / "qingshan.duckdb"
    on_db = ["--db", str(db)]
    as_admin = ["--as", "zhouli", *on_db]

    # 1. an empty database and its admin (the password from stdin)
    assert main(["init", *on_db]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("qingshan-2026\n"))
    assert main(["setup", *on_db, "--county-code", "C01", "--county-name", "某某县", "--admin", "zhouli",
                 "--display-name", "周立"]) == 0
    capsys.readouterr()

    # 2. the tree, then the rosters: one with a branch column, one GBK CSV with --org
    assert main(["import", "orgs", str(files["orgs"]), *as_admin]) == 0
    out = capsys.readouterr().out
    assert "未使用的列（已忽略）：书记" in out and "新增 3 条" in out
    assert main(["import", "members", str(files["roster"]), *as_admin]) == 0
    out = capsys.readouterr().out
    assert "备注" in out and "新增 3 条" in out
    assert main(["import", "members", str(files["gbk"]), "--org", "C01T01B02", *as_admin]) == 0
    assert "新增 2 条" in capsys.readouterr().out

    # points need a scheme first: refused whole, and the message says where to set one
    assert main(["import", "events", str(files["events"]), *as_admin]) == 2
    assert "该支部没有适用的积分方案，请先在「积分方案」页面设置" in capsys.readouterr().err

    # 4. the township's scheme, from the cycle's first day
    assert main(["scheme", "assign", "C01T01", "party-q100-3to1", "--from", "2025-07-01", *as_admin]) == 0
    assert "青山镇党委（C01T01）自 2025-07-01 起使用方案 party-q100-3to1" in capsys.readouterr().out
    assert main(["import", "events", str(files["events"]), *as_admin]) == 0
    assert "新增 4 条" in capsys.readouterr().out

    # 3. a bad file: refused whole, every error by its Excel row, an error report beside it
    before = counts(db)
    assert main(["import", "events", str(files["bad"]), *as_admin]) == 2
    err = capsys.readouterr().err
    assert "有 4 处问题，整个文件未导入" in err
    assert "第 3 行「日期」：「2025-13-45」不是日期" in err
    assert "第 4 行「姓名」：本支部没有名为「查无此人」的人员" in err
    assert "第 5 行「分值」" in err and "1～10" in err
    assert "第 7 行「姓名」：与第 6 行" in err
    report = pl.read_excel(tmp_path / "有错的台账-错误清单.xlsx", engine="calamine")
    assert report["行号"].to_list() == [3, 4, 5, 7]  # row 5's range error is one line, 6 is the original
    assert counts(db) == before

    store = Store(db)
    members = dict(store.all("SELECT name, id FROM members"))
    assert set(members) == {"周一", "吴二", "郑三", "陈四", "卫五"}  # 「吴　二 」 cleaned
    admin = get_user(store, "zhouli")
    today = dt.date.today()
    open_publicity(store, admin, "C01T01B01", 2025, "cycle", today, today + dt.timedelta(days=9))
    store.close()

    # 5. the 公示 and a 积分卡, in Chinese. By hand (party-q100-3to1: 日常分 75 a quarter, the
    # mean of four; no 评议 → 0; 奖励 added):
    #   周一 (73 + 75 + 75 + 75) / 4 = 74.5, + 3 = 77.5   基本合格 (65 ≤ x < 80)
    #   郑三 75                                 = 75.0   基本合格
    #   吴二 (75 + 70 + 75 + 75) / 4 = 73.75            → 73.8 基本合格
    export = ["--org", "C01T01B01", "--cycle", "2025", *as_admin]
    notice = tmp_path / "公示.pdf"
    assert main(["export", "publicity", *export, "--out", str(notice)]) == 0
    text = pdf_text(notice)
    assert "东风村党支部2025—2026年度" in text and "党员积分结果公示" in text
    # rank, name, 日常分, 评议分, 奖励分, 总分, 等次 run together once the spaces go
    assert "1周一74.50377.5基本合格2郑三750075.0基本合格3吴二73.80073.8基本合格" in text
    assert "东风村党支部（盖章）" in text and "第1页/共1页" in text
    card = tmp_path / "积分卡.pdf"
    assert main(["export", "card", *export, "--subject", members["周一"], "--out", str(card)]) == 0
    text = pdf_text(card)
    assert "周一积分卡" in text and "3305**********" + ID_ZHOU[-4:] in text and ID_ZHOU not in text
    assert "2025-08-01缺席三会一课1-2-2" in text and "周立" in text
    assert "总分：77.5" in text and "等次：基本合格" in text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(card), str(tmp_path / "card")],
                       check=True)
        assert (tmp_path / "card-1.png").stat().st_size > 10_000

    # 6. the 台账: a sheet a quarter and a summary
    ledger = tmp_path / "台账-东风村.xlsx"
    assert main(["export", "ledger", *export, "--out", str(ledger)]) == 0
    sheets = pl.read_excel(ledger, engine="calamine", sheet_id=0, has_header=False)
    assert list(sheets) == ["第1季度（7—9月）", "第2季度（10—12月）", "第3季度（1—3月）", "第4季度（4—6月）", "汇总（全年）"]
    summary = sheets["汇总（全年）"]
    assert summary.row(1)[:8] == ("排名", "编号", "姓名", "日常分", "评议分", "奖励分", "总分", "等次")
    assert [r[2] for r in summary.rows()[2:5]] == ["周一", "郑三", "吴二"]

    # 7. back up and restore into a new file: every count the same
    backup = tmp_path / "备份"
    assert main(["backup", *on_db, "--to", str(backup)]) == 0
    restored = tmp_path / "restored.duckdb"
    assert main(["restore", str(backup), "--db", str(restored)]) == 0
    # 4 orgs (county, township, 2 branches), 3 + 2 members, 4 events, 1 admin, 1 scheme,
    # 1 公示, 4 import batches (orgs, two rosters, events; refused files leave none)
    expected = {"orgs": 4, "members": 5, "events": 4, "users": 1, "scheme_assignments": 1, "publicity": 1,
                "import_batches": 4}
    assert counts(db) == expected
    assert counts(restored) == expected


def test_scheme_verbs_list_assign_and_refuse_bad_input(tmp_path, monkeypatch, capsys):
    db = tmp_path / "s.duckdb"
    on_db = ["--db", str(db)]
    monkeypatch.setattr(sys, "stdin", io.StringIO("qingshan-2026\n"))
    assert main(["setup", *on_db, "--county-code", "C01", "--county-name", "某某县", "--admin", "root"]) == 0
    assert main(["org", "add", "C01T01", "青山镇", "--parent", "C01", "--level", "township", "--as", "root", *on_db]) == 0
    assert main(["scheme", "list"]) == 0
    assert "party-q100-3to1\t党员积分季度百分制（日常分:评议分=3:1）" in capsys.readouterr().out
    assign = ["scheme", "assign", "--as", "root", *on_db]
    assert main([*assign, "C01T01", "nope", "--from", "2025-07-01"]) == 2
    assert "未知方案「nope」；可用的方案见 python -m core scheme list" in capsys.readouterr().err
    assert main([*assign, "C99", "party-q100-3to1", "--from", "2025-07-01"]) == 2
    assert "未知组织编码：C99" in capsys.readouterr().err
    assert main([*assign, "C01T01", "party-q100-3to1", "--from", "2025/7/1"]) == 2
    assert "--from：日期应写成 2025-07-01" in capsys.readouterr().err
    assert main([*assign, "C01T01", "party-q100-3to1", "--from", "2025-07-01", "--as", "nobody"]) == 2
    assert "未知或已停用的用户 nobody" in capsys.readouterr().err
    store = Store(db)
    assert store.scalar("SELECT count(*) FROM scheme_assignments") == 0
    store.close()
    # before any assignment, a branch's results name the page where a scheme is set
    assert main(["org", "add", "C01T01B01", "东风村党支部", "--parent", "C01T01", "--level", "branch", "--as", "root",
                 *on_db]) == 0
    capsys.readouterr()
    assert main(["results", "--org", "C01T01B01", "--cycle", "2025", *on_db]) == 2
    assert "请联系乡镇组织委员在「积分方案」页面设置" in capsys.readouterr().err


def test_past_points_count_for_a_roster_without_dates(tmp_path, monkeypatch, capsys):
    # A roster without 入党日期 or 转入本支部日期: as far back as the records go, its people have
    # been in the branch, so a year of the branch's past points counts for them in that year
    db = tmp_path / "v.duckdb"
    on_db = ["--db", str(db)]
    as_root = ["--as", "root", *on_db]
    monkeypatch.setattr(sys, "stdin", io.StringIO("qingshan-2026\n"))
    assert main(["setup", *on_db, "--county-code", "C01", "--county-name", "某某县", "--admin", "root"]) == 0
    assert main(["org", "add", "C01T01", "青山镇", "--parent", "C01", "--level", "township", *as_root]) == 0
    assert main(["org", "add", "C01T01B01", "东风村党支部", "--parent", "C01T01", "--level", "branch", *as_root]) == 0
    assert main(["scheme", "assign", "C01T01", "party-q100-3to1", "--from", "2025-07-01", *as_root]) == 0
    roster = tmp_path / "花名册.csv"
    roster.write_bytes(csv(["姓名,性别", "周一,男", "吴二,女"]))
    assert main(["import", "members", str(roster), "--org", "C01T01B01", *as_root]) == 0
    events = tmp_path / "台账.csv"
    events.write_bytes(csv(["姓名,积分项目,日期", "周一,缺席三会一课,2025-08-01"]))
    assert main(["import", "events", str(events), "--org", "C01T01B01", *as_root]) == 0
    capsys.readouterr()
    assert main(["results", "--org", "C01T01B01", "--cycle", "2025", *on_db]) == 0
    out = capsys.readouterr().out
    # 周一: 日常分 (73 + 75 + 75 + 75) / 4 = 74.5 (+ 评议 0 + 奖励 0); 吴二, with no points, is
    # a member of that year too: (75 × 4) / 4 = 75.0
    totals = {r["name"]: r["total"] for r in json.loads(out)["results"]}
    assert totals == {"周一": 74.5, "吴二": 75}


def test_a_roster_without_a_branch_column_says_to_use_org(tmp_path, monkeypatch, capsys):
    db = tmp_path / "o.duckdb"
    on_db = ["--db", str(db)]
    monkeypatch.setattr(sys, "stdin", io.StringIO("qingshan-2026\n"))
    assert main(["setup", *on_db, "--county-code", "C01", "--county-name", "某某县", "--admin", "root"]) == 0
    roster = tmp_path / "花名册.csv"
    roster.write_bytes(csv(["姓名,性别", "周一,男"]))
    capsys.readouterr()
    assert main(["import", "members", str(roster), "--as", "root", *on_db]) == 2
    err = capsys.readouterr().err
    assert "第 2 行「所在支部」：请填写所在支部，或在导入时选择支部" in err
    assert "提示：支部自己的花名册没有「所在支部」列时，用 --org 支部编码 指定导入到哪个支部" in err


def test_a_template_for_an_unknown_branch_is_refused(tmp_path, capsys):
    db = tmp_path / "t.duckdb"
    assert main(["init", "--db", str(db)]) == 0
    out = tmp_path / "台账模板.xlsx"
    assert main(["template", "events", "--org", "C99", "--out", str(out), "--db", str(db)]) == 2
    assert "--org：未知组织编码 C99" in capsys.readouterr().err and not out.exists()
