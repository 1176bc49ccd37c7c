"""组织架构 import: parents in the system or in the same file, codes given or generated."""

from __future__ import annotations

import pytest

from core import imports
from core.auth.permissions import PermissionDenied
from core.imports import ImportRefused
from tests.entry_world import ADMIN, SECRETARY, TOWNSHIP, world  # noqa: F401
from tests.import_files import csv, xlsx

TREE = csv([
    "测试县组织架构",
    "组织编码,组织名称,上级组织,层级,类型",
    ",三村党支部,测试镇,,村",                    # row 3: code generated, parent by name
    ",第一网格,C01T02B01,,",                     # row 4: parent comes two rows below
    "C01T02,新　镇,C01,乡镇,",                    # row 5: full-width space in the name
    "C01T02B01,新镇一社区党支部,新镇,支部,社区",
    "C01T01B01,一村党支部（改）,,,",              # row 7: a rename
])


def test_a_tree_imports_with_parents_from_the_same_file(world):
    p = imports.preview(world, ADMIN, "orgs", TREE, "tree.csv")
    assert p.ok, p.errors.rows()
    assert (p.added, p.updated) == (4, 1)
    batch = imports.commit(world, ADMIN, p)
    rows = world.all("SELECT code, name, level, kind, parent_code, path FROM orgs WHERE import_batch = ? ORDER BY path",
                     [batch])
    assert rows == [
        ("C01T01B03", "三村党支部", "branch", "village", "C01T01", "/C01/C01T01/C01T01B03/"),
        ("C01T02", "新镇", "township", "town", "C01", "/C01/C01T02/"),
        ("C01T02B01", "新镇一社区党支部", "branch", "community", "C01T02", "/C01/C01T02/C01T02B01/"),
        ("C01T02B01G1", "第一网格", "group", "grid", "C01T02B01", "/C01/C01T02/C01T02B01/C01T02B01G1/"),
    ]
    assert world.scalar("SELECT name FROM orgs WHERE code = 'C01T01B01'") == "一村党支部（改）"
    assert imports.preview(world, ADMIN, "orgs", TREE, "tree.csv").already["id"] == batch
    assert imports.undo(world, ADMIN, batch) == {"removed": 4, "restored": 1}
    assert world.scalar("SELECT count(*) FROM orgs") == 4
    assert world.scalar("SELECT name FROM orgs WHERE code = 'C01T01B01'") == "一村党支部"


def test_a_bad_tree_is_refused_whole(world):
    bad = xlsx([["组织编码", "组织名称", "上级组织", "层级"],
                [None, "四村党支部", "不存在镇", "支部"],        # row 2
                ["C01T01B02", "二村党支部", "C01", None],         # row 3: a move is not an import
                ["c01t01b09", "九村", "C01T01", "党小组"],        # row 4: a group under a township
                [None, "五村", "测试镇", "村委"],                 # row 5: no such level
                ["X", "六村", "测试镇", "支部"]])                  # row 6: code too short
    p = imports.preview(world, ADMIN, "orgs", bad, "bad.xlsx")
    got = {row: (column, problem) for row, column, problem in p.errors.iter_rows()}
    assert sorted(got) == [2, 3, 4, 5, 6]
    assert got[2][0] == "上级组织" and "不存在镇" in got[2][1]
    assert "组织与人员" in got[3][1]
    assert got[4] == ("层级", "党小组（网格）不能建在乡镇（街道）下")
    assert got[5][0] == "层级"
    assert got[6][0] == "组织编码"
    with pytest.raises(ImportRefused):
        imports.commit(world, ADMIN, p)
    assert world.scalar("SELECT count(*) FROM orgs") == 4


def test_only_admins_and_townships_change_the_tree(world):
    with pytest.raises(PermissionDenied):
        imports.preview(world, SECRETARY, "orgs", TREE, "tree.csv")
    # a township official works within its own township only
    p = imports.preview(world, TOWNSHIP, "orgs", TREE, "tree.csv")
    assert {row for row, _, _ in p.errors.iter_rows()} == {4, 5, 6}
