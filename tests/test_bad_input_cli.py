"""Every CLI verb, given bad arguments, exits 0 or exits 2 with a Chinese message, and a refusal
writes nothing (issue 13, "Bad input": "a hypothesis test ... over every CLI verb").

``python -m core`` is called in-process (``core.cli.main``; argparse's own refusals raise
``SystemExit``) with generated values: cycles out of range, bad dates and months, unknown codes
and users, odd unicode (a lone surrogate as a shell passes undecodable bytes, zero-width and
right-to-left marks, astral characters, 5 000 characters), paths that do not exist or are
folders, empty strings, ``--set`` expressions the scheme lacks. Any exception escaping ``main``
(a traceback in a terminal) fails, as does an exit code other than 0 and 2, a refusal without
Chinese on stderr, and a refusal after which any table of the world has a different row count.

stdout is strict UTF-8 and stderr backslash-replacing, as in a real process, so a verb that would
print a value it cannot encode fails here as it would there.

DuckDB only: the verbs are thin over the services, which tests/test_bad_input.py and
tests/test_bad_input_services2.py run on both stores; what this file tests is the command line
itself (argument parsing, exit codes, messages), which is the same whatever the store, and a
PostgreSQL world per verb would cost seconds for nothing more.
"""

from __future__ import annotations

import functools
import io
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.auth import add_user, users
from core import cli
from core.cli import main
from core.store import Store
from core.store.base import Store as BaseStore
from tests import market_world
from tests.test_bad_input import table_checksums
from tests.test_evaluate_cli import CASE

FAST_HASH = users._DUMMY_HASH
CJK = re.compile(r"[\u4e00-\u9fff]")
SETTINGS = settings(max_examples=10, deadline=None, derandomize=True, phases=[Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# values any argument may get (no NUL: a process's arguments cannot hold one)
ODD = ["", " ", "\u200b\u200b", "\udcff", "\u202e反转", "𠀀𠀁", "x" * 5000, "'; DROP TABLE orgs;--", "../../etc/passwd",
       "-5", "C01T01B01\u200b", "Ｃ０１"]
CODES = ["C01T01B01", "C01T01B02", "C01T01", "C01", "C99"] + ODD
CYCLES = ["2025", "2024", "99999", "-5", "2200", "0", "1999", "abc", "2025.0", "١٢٣٤", "1" * 40, ""]
DATES = ["2025-07-01", "2025-11-20", "9999-12-31", "1900-01-01", "0001-01-01", "2025-02-30", "20250701", "abc", "",
         "\udcff"]
MONTHS = ["2025-09", "2025-13", "9999-12", "0001-01", "2025", "abc", "", "2025-09-01"]
PERIODS = ["cycle", "Q1", "H2", "M12", "Q9", "2026Q1", "2025-09", "", "\udcff"]
USERS = ["admin", "zhen01", "shuji01", "jilu01", "jilu02", "nobody", "ADMIN", "\u200badmin"] + ODD[:5]
NUMBERS = ["1", "2", "0", "-1", "1.5", "1e9", "10000000000", "NaN", "Infinity", "abc", "", "\udcff", "٣"]
TEXT = ["张三", "镇党委会议研究", "一村党支部（新）"] + ODD
SUBJECTS = ["H01", "H02", "H03", "R01", "M01", "nobody"] + ODD[:4]
PASSWORDS = ["Strong-pass-2025\n", "\n", "        \n", "123456\n", "\udcff" * 10 + "\n", "x" * 100_000 + "\n", ""]


def pick(values) -> st.SearchStrategy:
    return st.sampled_from(values)


def opt(flag: str, values) -> st.SearchStrategy:
    """``[flag, value]`` or nothing."""
    return pick(values).map(lambda v: [flag, v]) | st.just([])


def req(flag: str, values) -> st.SearchStrategy:
    """``[flag, value]``, now and then left out (argparse's "required")."""
    return st.one_of(pick(values).map(lambda v: [flag, v]), pick(values).map(lambda v: [flag, v]), st.just([]))


def pos(values) -> st.SearchStrategy:
    return pick(values).map(lambda v: [v])


def flag(name: str) -> st.SearchStrategy:
    return st.sampled_from([[name], []])


def argv(*parts) -> st.SearchStrategy:
    """A command line from fixed words (lists) and strategies of word lists."""
    return st.tuples(*[p if isinstance(p, st.SearchStrategy) else st.just(p) for p in parts]).map(
        lambda chunks: [word for chunk in chunks for word in chunk])


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    """The world's database and the files and folders the arguments name. A verb given no
    ``--db`` opens JIFEN_DB, here a file of its own (never the project's data/jifen.duckdb)."""
    tmp = tmp_path_factory.mktemp("cli_bad_input")
    mp = pytest.MonkeyPatch()
    mp.setenv("JIFEN_DB", str(tmp / "default.duckdb"))
    mp.setenv("JIFEN_BACKUP_DIR", str(tmp / "backups"))
    # argon2 takes half a second per password (the world's five users, and each `user add` or
    # `setup` that gets through); what is tested is the command line, not the hash
    mp.setattr(users, "hash_password", lambda password: FAST_HASH)
    db = tmp / "world.duckdb"
    store = Store(db)
    market_world.build(store)
    for name, role, org in (("admin", "admin", "C01"), ("zhen01", "township", "C01T01"),
                            ("shuji01", "secretary", "C01T01B01"), ("jilu01", "recorder", "C01T01B01"),
                            ("jilu02", "recorder", "C01T01B02")):
        add_user(store, name, f"{name}-password-2025", role, org, name)
    store.close()
    shutil.copy(db, tmp / "copy.duckdb")  # migrate's source: the world itself is held open by `counter`
    (tmp / "case.json").write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    (tmp / "list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp / "broken.json").write_text('{"subjects": [', encoding="utf-8")
    (tmp / "scheme.toml").write_text('id = "x"\n[[items]]\nid = 1\n', encoding="utf-8")
    (tmp / "empty.csv").write_bytes(b"")
    (tmp / "garbage.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp / "members.csv").write_text("姓名,身份证号,所在支部\n\u200b,123,C99\n张三,,C01T01B01\n", encoding="utf-8-sig")
    (tmp / "events.csv").write_text("成员编号,项目,日期,数量\nM01,miss_meeting,9999-12-31,1e9\nM01,nope,2025-08-03,-1\n",
                                    encoding="utf-8-sig")
    (tmp / "folder").mkdir()
    (tmp / "folder" / "schema.sql").write_text("COPY (SELECT 1) TO '/tmp/pwned.txt';", encoding="utf-8")
    (tmp / "a_file.txt").write_text("x", encoding="utf-8")
    paths = {name: str(tmp / name) for name in ("case.json", "list.json", "broken.json", "scheme.toml", "empty.csv",
                                                 "garbage.xlsx", "members.csv", "events.csv", "folder", "a_file.txt", "copy.duckdb")}
    yield {"db": str(db), "tmp": str(tmp), "missing": str(tmp / "nowhere" / "x.duckdb"), **paths}
    mp.undo()


class Counter:
    """The world's row counts (the verbs open the same file in this process), read when a
    verb first calls ``Store.write`` (every write goes through it, one transaction each): a
    verb refused before any write began cannot have written."""

    def __init__(self, path: str):
        self.store = Store(Path(path))
        self.before: dict[str, int] | None = None

    def now(self) -> dict[str, int]:
        return table_checksums(self.store)


@pytest.fixture(scope="module")
def counter(files):
    counts = Counter(files["db"])
    real_write = BaseStore.write

    def write(store, work, *args, **kwargs):
        if counts.before is None:
            counts.before = counts.now()
        return real_write(store, work, *args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(BaseStore, "write", write)
    # one parser for every call (main builds its 160 sub-parsers anew each time, 60 ms; parsing
    # leaves a parser as it was, so reusing it tests the same thing)
    mp.setattr(cli, "build_parser", functools.cache(cli.build_parser))
    yield counts
    mp.undo()
    counts.store.close()


def run(counter: Counter, args: list[str], stdin: str = "") -> tuple[int, str, str]:
    """``main(args)`` as a process would run it; checks the exit code, the message and the
    row counts, and returns (code, stdout, stderr)."""
    counter.before = None
    out, err = io.BytesIO(), io.BytesIO()
    saved = sys.stdout, sys.stderr, sys.stdin
    sys.stdout = wout = io.TextIOWrapper(out, encoding="utf-8", errors="strict")
    sys.stderr = werr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace")
    sys.stdin = io.StringIO(stdin)
    try:
        try:
            code = main(args)
        except SystemExit as exc:  # argparse's refusals: the verb never ran
            code = exc.code
    finally:
        sys.stdout, sys.stderr, sys.stdin = saved
        for wrapper in (wout, werr):
            wrapper.flush()
            wrapper.detach()  # else closing the wrapper would close the buffer read below
    stdout, stderr = out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")
    assert code in (0, 2), f"{args!r}: exit code {code!r}\n{stderr}"
    if code == 2:
        assert CJK.search(stderr), f"{args!r}: refusal without Chinese: {stderr!r}"
    if code == 2 and counter.before is not None:
        before, after = counter.before, counter.now()
        # a refusal for lack of scope is itself audited (audit_log, and meta's chain head)
        if "管辖范围" in stderr or "无权" in stderr or "权限" in stderr:
            before, after = ({k: v for k, v in d.items() if k not in ("audit_log", "meta")} for d in (before, after))
        assert after == before, f"{args!r}: half-write after refusal {stderr!r}"
    return code, stdout, stderr


@functools.cache
def verbs(f: tuple[tuple[str, str], ...]) -> dict[str, st.SearchStrategy]:
    """One strategy of command lines per verb (``python -m core --help`` lists them)."""
    f = dict(f)
    db, tmp = f["db"], f["tmp"]
    read_dbs = [db, db, db, f["missing"], f["folder"], "postgresql://u@127.0.0.1:1/jifen", ""]
    outs = [f"{tmp}/out.xlsx", f"{tmp}/out.pdf", f"{tmp}/out.csv", f"{tmp}/nowhere/out.xlsx", f"{tmp}/out.txt",
            f["folder"], "", "\udcff.xlsx"]
    return {
        "init": argv(["init"], req("--db", [db, f["folder"], "postgresql://u@127.0.0.1:1/jifen", f["a_file.txt"]])),
        "demo": argv(["demo", "--if-missing", "--db", db], opt("--size", ["S", "Q", ""]),
                     opt("--seed", ["1", "abc", "-5", "9" * 30])),
        "bench": pick([["bench", "--backend", "both", "--db", db], ["bench", "--size", "Q"], ["bench", "--runs", "abc"],
                       ["bench", "--db", db, "--backend", "postgres"], ["bench", "--backend", "nope"]]),
        "backup": argv(["backup"], req("--db", read_dbs), opt("--to", [f"{tmp}/bk", f["a_file.txt"], f["folder"],
                                                                       "/proc/nope/bk", "\udcff"])),
        "restore": argv(["restore"], pos([f["folder"], f["missing"], f["a_file.txt"], "", "\udcff"]),
                        req("--db", [f"{tmp}/restored.duckdb", db, f["folder"], "postgresql://u@127.0.0.1:1/x"])),
        "case": argv(["case"], req("--org", CODES), req("--cycle", CYCLES), opt("--period", PERIODS),
                     req("--db", read_dbs)),
        "results": argv(["results"], req("--org", CODES), req("--cycle", CYCLES), opt("--period", PERIODS),
                        opt("--track", ["party", "village", "volunteer", "nope"]), opt("--format", ["json", "table", "x"]),
                        req("--db", read_dbs)),
        "evaluate": argv(["evaluate"], req("--scheme", ["party-q100-3to1", "village-4class", "nope", f["scheme.toml"],
                                                        "../../etc/passwd", ""]),
                         req("--case", [f["case.json"], f["list.json"], f["broken.json"], f["missing"], f["folder"], ""]),
                         opt("--period", PERIODS), opt("--format", ["json", "table", "x"])),
        "simulate": argv(["simulate"], req("--scheme", ["party-q100-3to1", "nope", f["scheme.toml"]]),
                         opt("--new-scheme", ["party-q100-3to1", "village-4class", "nope", ""]),
                         opt("--set", ['quotas."99".percent = 30', 'quotas."0".percent = 1e999', "=", "a.b = [1,",
                                       'quotas."0".percent = -30', 'name = "\udcff"', 'items = 5', "x" * 5000]),
                         req("--case", [f["case.json"], f["list.json"], f["broken.json"], f["missing"]])),
        "export": argv(["export"], pos(["ledger", "report", "card", "publicity", "nope"]), req("--org", CODES),
                       req("--cycle", CYCLES), opt("--period", PERIODS), opt("--subject", SUBJECTS),
                       req("--out", outs), opt("--as", USERS), req("--db", read_dbs)),
        "template": argv(["template"], pos(["members", "events", "households", "nope"]),
                         req("--out", [f"{tmp}/t.xlsx", f"{tmp}/nowhere/t.xlsx", f["folder"], ""]),
                         opt("--org", CODES), opt("--db", [db, f["missing"], f["folder"]])),
        "import": argv(["import"], pos(["members", "events", "households", "scores", "nope"]),
                       pos([f["empty.csv"], f["garbage.xlsx"], f["members.csv"], f["events.csv"], f["folder"],
                            f["missing"], ""]),
                       opt("--org", CODES), flag("--dry-run"), req("--as", USERS),
                       opt("--report", [f"{tmp}/report.xlsx", f"{tmp}/nowhere/r.xlsx"]), req("--db", [db])),
        "migrate": argv(["migrate"], req("--from", [f["copy.duckdb"], f["missing"], f["folder"], f["a_file.txt"], ""]),
                        req("--to", ["postgresql://u@127.0.0.1:1/x", "not a url", "postgresql://", "\udcff", db])),
        "monthly-report": argv(["monthly-report"], req("--org", CODES), req("--month", MONTHS),
                               req("--out", outs), opt("--as", USERS), req("--db", read_dbs)),
        "org add": argv(["org", "add"], pos(["auto", "AUTO", "C01T01B09", "c01t01b09"] + ODD), pos(TEXT),
                        req("--parent", CODES), req("--level", ["township", "branch", "group", "村", "nope", ""]),
                        opt("--kind", ["村", "社区", "nope", ""]), req("--as", USERS), req("--db", [db])),
        "org rename": argv(["org", "rename"], pos(CODES), pos(TEXT), req("--as", USERS), req("--db", [db])),
        "org move": argv(["org", "move"], pos(CODES), req("--parent", CODES), req("--as", USERS), req("--db", [db])),
        "org deactivate": argv(["org", "deactivate"], pos(CODES), opt("--reason", TEXT), req("--as", USERS),
                               req("--db", [db])),
        "org merge": argv(["org", "merge"], pos(CODES), pos(CODES), req("--as", USERS), req("--db", [db])),
        "candidates": argv(["candidates"], req("--org", CODES), req("--cycle", CYCLES), opt("--today", DATES),
                           opt("--as", USERS), req("--db", read_dbs)),
        "cases": argv(["cases"], req("--org", CODES), opt("--cycle", CYCLES), flag("--overdue"),
                      opt("--today", DATES), opt("--as", USERS), req("--db", read_dbs)),
        "scheme": pick([["scheme", "list"], ["scheme"], ["scheme", "nope"]]),
        "scheme assign": argv(["scheme", "assign"], pos(CODES), pos(["party-q100-3to1", "village-4class", "nope",
                                                                      "../data/schemes/party-q100-3to1", ""]),
                              req("--from", DATES), opt("--reason", TEXT), req("--as", USERS), req("--db", [db])),
        "setup": argv(["setup"], req("--county-code", CODES), req("--county-name", TEXT), req("--admin", USERS),
                      opt("--display-name", TEXT), req("--db", [db])),
        "exchange": argv(["exchange"], req("--subject", SUBJECTS), req("--goods", ["RICE", "SOAP", "NOPE"] + ODD[:4]),
                         req("--qty", NUMBERS), req("--as", USERS), opt("--date", DATES),
                         opt("--request-key", TEXT), req("--db", read_dbs)),
        "balance": argv(["balance"], req("--subject", SUBJECTS), opt("--date", DATES), req("--db", read_dbs)),
        "goods": argv(["goods"], req("--org", CODES), req("--db", read_dbs)),
        "tune": argv(["tune"], req("--org", CODES), req("--as", USERS),
                     opt("--track", ["party", "village", "volunteer", "x"]),
                     opt("--set", ["quotas.0.percent=15", "quotas.0.percent=1e9", "quotas.0.percent=NaN", "=", "x=1",
                                   "quotas.99.percent=3", "quotas.0.percent=abc", "quotas.0.percent=\udcff"]),
                     opt("--cycle", CYCLES), flag("--fields"), flag("--adopt"), opt("--from", DATES),
                     opt("--reason", TEXT), req("--db", [db])),
        "user add": argv(["user", "add"], pos(TEXT + USERS), req("--role", ["secretary", "recorder", "subject", "king"]),
                         opt("--org", CODES), opt("--subject", SUBJECTS), opt("--display-name", TEXT),
                         req("--db", [db])),
    }


VERBS = ["init", "demo", "bench", "backup", "restore", "case", "results", "evaluate", "simulate", "export", "template",
         "import", "migrate", "monthly-report", "org add", "org rename", "org move", "org deactivate", "org merge",
         "candidates", "cases", "scheme", "scheme assign", "setup", "exchange", "balance", "goods", "tune", "user add"]


def test_every_verb_is_fuzzed():
    """A verb added later is added here too (its first word is a command of the parser)."""
    from core.cli import build_parser

    commands = set(build_parser()._subparsers._group_actions[0].choices)
    assert commands == {v.split()[0] for v in VERBS}


@pytest.mark.parametrize("verb", VERBS)
@SETTINGS
@given(data=st.data())
def test_a_verb_exits_0_or_2_in_chinese(files, counter, verb, data):
    args = data.draw(verbs(tuple(files.items()))[verb], label="argv")
    stdin = data.draw(pick(PASSWORDS), label="stdin") if verb in ("setup", "user add") else ""
    run(counter, args, stdin)
