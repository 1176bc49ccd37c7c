"""The 积分超市 verbs: exit codes and JSON (DuckDB file; the services are tested on both engines)."""

from __future__ import annotations

import json

import pytest

from core.auth import add_user
from core.cli import main
from core.store import Store
from tests.market_world import build, count_rows


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "market.duckdb"
    store = Store(path)
    build(store)
    add_user(store, "jilu01", "clerk-password-1", "recorder", "C01T01B01", "一村记分员")
    add_user(store, "jilu02", "clerk-password-2", "recorder", "C01T01B02", "二村记分员")
    store.close()
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_exchange_balance_goods(db, capsys):
    # H01 on 2025-11-20: cumulative 30, balance 30 (tests/market_world.py)
    code, out, _ = run(capsys, "balance", "--subject", "H01", "--date", "2025-11-20", "--db", db)
    assert code == 0 and json.loads(out)["balance"] == 30 and json.loads(out)["cumulative"] == 30
    code, out, _ = run(capsys, "exchange", "--subject", "H01", "--goods", "RICE", "--qty", "1", "--as", "jilu01",
                       "--date", "2025-11-20", "--db", db)
    assert code == 0 and json.loads(out)["balance"] == 5  # 30 − 25
    code, out, _ = run(capsys, "balance", "--subject", "H01", "--date", "2025-11-20", "--db", db)
    assert (json.loads(out)["balance"], json.loads(out)["cumulative"]) == (5, 30)  # cumulative unchanged
    code, out, _ = run(capsys, "goods", "--org", "C01T01B01", "--db", db)
    listed = {g["code"]: g for g in json.loads(out)}
    assert code == 0 and {k: listed["RICE"][k] for k in ("code", "name", "price", "stock")} == \
           {"code": "RICE", "name": "大米", "price": 25, "stock": 9}


REFUSALS = [
    (["--subject", "H01", "--goods", "RICE", "--qty", "2", "--as", "jilu01"], "余额将为负数"),  # 50 > 30
    (["--subject", "H01", "--goods", "SOAP", "--qty", "11", "--as", "jilu01"], "超出库存"),
    (["--subject", "H01", "--goods", "SOAP", "--qty", "1.5", "--as", "jilu01"], "应为整数"),
    (["--subject", "H01", "--goods", "SOAP", "--qty", "1", "--as", "jilu02"], "不在您的管辖范围内"),
    (["--subject", "H01", "--goods", "SOAP", "--qty", "1", "--as", "nobody"], "未知或已停用的用户"),
]


def test_refused_exchange_exits_2_with_the_reason(db, capsys):
    store = Store(db)
    before = {k: v for k, v in count_rows(store).items() if k != "audit_log"}
    store.close()
    for argv, message in REFUSALS:
        code, out, err = run(capsys, "exchange", *argv, "--date", "2025-11-20", "--db", db)
        assert code == 2 and out == "" and message in err, (argv, err)
    store = Store(db)
    assert {k: v for k, v in count_rows(store).items() if k != "audit_log"} == before
    store.close()
    assert run(capsys, "balance", "--subject", "H99", "--db", db)[0:3:2] == (2, "错误：未找到成员 H99\n")
    code, _, err = run(capsys, "goods", "--org", "C09", "--db", db)
    assert code == 2 and "未知组织编码" in err
