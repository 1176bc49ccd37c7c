import datetime as dt
import random

import pytest

from core import demo
from core.demo import activity as demo_activity
from core.demo import members as demo_members
from core.demo import orgs as demo_orgs
from core.demo import report_in as demo_report_in
from core.demo.plan import category_vocabularies
from core.demo import volunteers as demo_volunteers
from core.store import Store
from tests.conftest import DEMO_TODAY

TODAY = dt.date(2026, 11, 20)
TABLES = ["orgs", "members", "member_branch_history"]


def snapshot(store):
    out = {}
    for table in TABLES:
        cols = [r[0] for r in store.all(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND column_name <> 'created_at'"
            " ORDER BY ordinal_position", [table])]
        out[table] = store.all(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL")
    return out


def test_same_seed_gives_same_data(tmp_path, demo_db, monkeypatch):
    # the session's demo (seed 2026, DEMO_TODAY) built again gives the same rows, here with
    # the rollups refreshed 20,000 events at a time (as an M county's 2M are, 250,000 at a
    # time): the slices give the same rollups as the session's one refresh of ~100k
    monkeypatch.setattr(demo_activity, "REFRESH_SLICE", 20_000)
    store = Store(tmp_path / "again.duckdb")
    counts = demo.generate(store, "S", seed=2026, today=DEMO_TODAY)
    # every figure the CLI prints has its Chinese name, and the totals are the store's own
    assert set(counts) <= set(demo.COUNT_NAMES)
    assert counts["users"] == store.scalar("SELECT count(*) FROM users")
    assert counts["members"] == store.scalar("SELECT count(*) FROM members")
    first = Store(demo_db)
    assert snapshot(store) == snapshot(first)
    store.close()
    first.close()
    # another seed draws another roster (the generator's first draw: a whole demo would say no more)
    def roster(seed):
        rng = random.Random(f"{seed}-S")
        orgs = demo_orgs.build(rng, "S")
        return demo_members.build(rng, orgs, demo_orgs.SIZES["S"][3], TODAY, category_vocabularies(orgs))[0]
    assert roster(2026) == roster(2026) and roster(2026) != roster(8)


def test_s_is_one_township_of_twenty_branches(demo_store):
    levels = dict(demo_store.all("SELECT level, count(*) FROM orgs GROUP BY level"))
    # the township's 20, plus the county departments whose members report in (core.demo.report_in)
    # and the 党员义工工作站 with its volunteers (core.demo.volunteers)
    departments = demo_report_in.DEPARTMENTS
    assert levels["county"] == 1 and levels["township"] == 1 and levels["branch"] == 20 + len(departments) + 1
    members = demo_store.scalar("SELECT count(*) FROM members WHERE kind = 'member'") - sum(n for _, n, _ in departments)
    assert 700 <= members <= 900
    assert demo_store.scalar("SELECT count(*) FROM members WHERE kind = 'volunteer'") == demo_volunteers.VOLUNTEERS
    names = [r[0] for r in demo_store.all("SELECT name FROM orgs WHERE level = 'branch'")]
    assert all(n.endswith("党支部") or n.endswith("党员义工工作站") for n in names)
    assert any(n.endswith("村党支部") for n in names) and any(n.endswith("社区党支部") for n in names)


def test_member_proportions_are_plausible(demo_store):
    total, old, probationary, mobile, exempt = demo_store.one(
        "SELECT count(*), count(*) FILTER (WHERE extract(year FROM birth_date) <= ?),"
        " count(*) FILTER (WHERE probationary), count(*) FILTER (WHERE mobile), count(*) FILTER (WHERE status = 'exempt')"
        " FROM members", [DEMO_TODAY.year - 70])  # 70 or more by calendar year (the demo's day)
    assert 0.02 <= old / total <= 0.08
    assert 0.06 <= probationary / total <= 0.14
    assert mobile > 0 and exempt > 0
    # every name is two or three Chinese characters, with searchable initials
    bad = demo_store.scalar("SELECT count(*) FROM members WHERE length(name) NOT IN (2, 3) OR length(initials) <> length(name)")
    assert bad == 0
    # a member joins the party after turning 18 and never in the future
    assert demo_store.scalar("SELECT count(*) FROM members WHERE join_date > ?"
                             " OR extract(year FROM join_date) - extract(year FROM birth_date) < 18", [DEMO_TODAY]) == 0


def test_every_member_has_an_open_branch_history(demo_store):
    missing = demo_store.scalar(
        "SELECT count(*) FROM members m WHERE m.status <> 'transferred' AND NOT EXISTS ("
        " SELECT 1 FROM member_branch_history h WHERE h.member_id = m.id AND h.branch_code = m.branch_code AND h.to_date IS NULL)")
    assert missing == 0


def test_branch_history_is_consistent(demo_store):
    # every closed row ends after it starts, and a member who moved came from a branch of the same kind
    assert demo_store.scalar("SELECT count(*) FROM member_branch_history WHERE to_date < from_date") == 0
    moves = demo_store.all(
        "SELECT o.kind, n.kind FROM member_branch_history h JOIN members m ON m.id = h.member_id"
        " JOIN orgs o ON o.code = h.branch_code JOIN orgs n ON n.code = m.branch_code"
        " WHERE h.branch_code <> m.branch_code")
    assert moves and all(old == new for old, new in moves)


def test_demo_refuses_a_non_empty_database(demo_store):
    with pytest.raises(ValueError, match="空数据库"):
        demo.generate(demo_store, "S", today=TODAY)


def test_sizes_are_declared():
    from core.demo.orgs import SIZES
    assert SIZES["M"][:3] == (1, 15, 20)  # one county, 15 townships, 300 branches
    assert SIZES["L"][0] == 10  # ten counties


def test_cli_demo_writes_to_a_server_url(store_target, monkeypatch, capsys):
    """``python -m core demo --db postgresql://... --seed N --size S``: the URL reaches the
    store whole (a ``Path`` would fold its ``//``), and ``--if-missing`` then skips a
    server database that already holds organisations. Generation itself is stubbed: the
    fixtures build the real demo on both engines."""
    from core.cli import main

    seen = []

    def fake_generate(store, size, seed, progress=None):
        seen.append((store.backend, size, seed))
        store.write(lambda cur: cur.execute(
            "INSERT INTO orgs(code, name, level, path) VALUES ('C01', '临河县', 'county', '/C01/')").fetchall())
        return {"orgs": 1}

    monkeypatch.setattr(demo, "generate", fake_generate)
    target = str(store_target)
    assert main(["demo", "--db", target, "--seed", "7", "--size", "S"]) == 0
    backend = "postgres" if target.startswith("postgresql://") else "duckdb"
    assert seen == [(backend, "S", 7)]
    assert "演示数据已生成（规模 S）：组织 1" in capsys.readouterr().out
    assert main(["demo", "--db", target, "--if-missing"]) == 0
    assert seen == [(backend, "S", 7)]  # not generated again
    assert "跳过演示数据" in capsys.readouterr().out
    s = Store(store_target)
    assert s.scalar("SELECT count(*) FROM orgs") == 1
    s.close()
