"""月报 on the rhythm world (tests/rhythm_world.py): September 2025 of 青石镇, per branch and in
total, every figure worked out by hand; the Excel file; the CLI verb."""

import datetime as dt
import io

import polars as pl
import pytest

from core.auth.scope import ScopeError
from core.metrics.monthly_report import file_name, monthly_report, report_bytes
from core.store import Store
from core.targets import set_target
from tests import rhythm_world as w

MONTH = dt.date(2025, 9, 1)


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def world(request, tmp_path_factory):
    with w.fresh_store(request, tmp_path_factory) as store:
        w.build(store)
        set_target(store, w.TOWNSHIP, w.TOWN, "member", 100)
        set_target(store, w.TOWNSHIP, w.B1, "household", 70)
        yield store


def test_september_figures_per_branch_and_in_total(world):
    frame = monthly_report(world, w.SCOPE, w.TOWN, MONTH, w.TODAY)
    rows = {r["支部"]: r for r in frame.iter_rows(named=True)}
    assert list(rows) == ["一村党支部", "二村党支部", "合计"]
    one, two, total = rows["一村党支部"], rows["二村党支部"], rows["合计"]
    # entries dated in September: B1 events 1 2 3 6 7 8 = 6, approved 1 3 6 = 3; B2 events 4 5, none approved
    assert [(r["录入积分记录（条）"], r["审核通过（条）"]) for r in (one, two, total)] == [(6, 3), (2, 0), (8, 3)]
    # 党员: B1 p1 p2 of 3 (p4 exempt) below 100%; B2 q1 1/1. 户: B1 7/10 = 70% meets its own 70%;
    # B2 6/10 with no target. 村民: r1 never took part (0/1). 义工: v1's approved 2.5 h → 1/1.
    assert (one["党员参与（人）"], one["党员应参与（人）"], one["党员参与率（%）"], one["党员目标（%）"], one["党员是否达标"]) == (
        2, 3, 66.7, 100.0, "未达标")
    assert (two["党员参与率（%）"], two["党员是否达标"]) == (100.0, "达标")
    assert (one["户参与率（%）"], one["户目标（%）"], one["户是否达标"]) == (70.0, 70.0, "达标")
    assert (two["户参与（人）"], two["户参与率（%）"], two["户目标（%）"], two["户是否达标"]) == (6, 60.0, None, None)
    assert (two["村民参与（人）"], two["村民应参与（人）"], one["义工参与（人）"]) == (0, 1, 1)
    # totals: 党员 3 of 4 = 75.0%; 户 13 of 20 = 65.0%
    assert (total["党员参与（人）"], total["党员应参与（人）"], total["党员参与率（%）"]) == (3, 4, 75.0)
    assert (total["户参与（人）"], total["户应参与（人）"], total["户参与率（%）"]) == (13, 20, 65.0)
    # one 主题党日 each in September (B2's 志愿服务 was in August); B2's 全年 公示 started 09-01;
    # objections o1 and o2 filed in September, o1 still open past its 09-12 deadline
    assert [(r["开展活动（次）"], r["发起公示（次）"], r["收到异议（条）"], r["月末逾期未办结异议（条）"])
            for r in (one, two, total)] == [(1, 0, 0, 0), (1, 1, 2, 1), (2, 1, 2, 1)]
    # 积分超市: h01's 20 points stand, h02's 15 were undone; 义工 v1 2.5 + 1.5 h (the rejected 3 h not)
    assert (one["积分超市兑换（笔）"], one["兑换积分"], one["义工服务时长（小时）"]) == (1, 20.0, 4.0)
    assert (total["积分超市兑换（笔）"], total["义工服务时长（小时）"]) == (1, 4.0)


def test_excel_file_and_scope(world):
    data = report_bytes(world, w.SCOPE, w.TOWN, MONTH, w.TODAY)
    sheet = pl.read_excel(io.BytesIO(data), sheet_name="月报")
    assert sheet["支部"].to_list() == ["一村党支部", "二村党支部", "合计"]
    assert file_name(world, w.TOWN, MONTH) == "青石镇2025年9月月报.xlsx"
    other = w.SCOPE.__class__("zhen08", "township", w.OTHER_TOWN, f"/C07/{w.OTHER_TOWN}/")
    with pytest.raises(ScopeError):
        monthly_report(world, other, w.TOWN, MONTH, w.TODAY)


def test_cli_writes_the_workbook_and_refuses_bad_input(tmp_path, capsys):
    from core.cli import main

    db = tmp_path / "cli.duckdb"
    store = Store(db)
    w.build(store)
    store.close()
    out = tmp_path / "月报.xlsx"
    assert main(["monthly-report", "--db", str(db), "--org", w.TOWN, "--month", "2025-09", "--out", str(out)]) == 0
    assert pl.read_excel(out, sheet_name="月报")["支部"].to_list()[-1] == "合计"
    assert main(["monthly-report", "--db", str(db), "--org", w.TOWN, "--month", "2025-13", "--out", str(out)]) == 2
    assert main(["monthly-report", "--db", str(db), "--org", "NOPE", "--month", "2025-09", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--month 应为年月，如 2025-09：2025-13" in err and "未知组织：NOPE" in err
