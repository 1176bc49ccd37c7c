"""Accounts (issue 13): parallel guesses lock, unknown names cost a hash, a password policy,
usernames unique whatever their case and free of invisible characters."""

import datetime as dt
import threading
from unittest import mock

import duckdb
import psycopg
import pytest

from core.auth import AuthError, add_user, authenticate
from core.auth import users
from core.auth.admin import change_own_password, reset_password
from core.auth.credentials import check_password, clean_username
from core.auth.scope import scope_for
from core.first_run import SetupError, setup
from tests.conftest import DEMO_PASSWORD


def test_fifty_parallel_wrong_passwords_lock_the_account(demo_store):
    now = dt.datetime(2025, 7, 1, 9, 0)
    start = threading.Barrier(50)
    answers = []

    def guess(i):
        start.wait()
        try:
            authenticate(demo_store, "zhen01", f"wrong-guess-{i}", now=now)
        except AuthError as exc:
            answers.append(str(exc))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 50  # every guess refused
    failures, locked_until = demo_store.one("SELECT failed_count, locked_until FROM users WHERE username = 'zhen01'")
    # every guess that got past the lock check counted; the 5th locked for 15 minutes
    assert failures >= users.MAX_FAILURES
    assert locked_until == now + dt.timedelta(minutes=users.LOCK_MINUTES)
    with pytest.raises(AuthError, match="锁定至 2025-07-01 09:15"):
        authenticate(demo_store, "zhen01", DEMO_PASSWORD, now=now + dt.timedelta(minutes=14))
    # 09:15 the lock has run out: the right password opens, and the count starts again
    assert authenticate(demo_store, "zhen01", DEMO_PASSWORD, now=now + dt.timedelta(minutes=15)).username == "zhen01"
    assert demo_store.scalar("SELECT failed_count FROM users WHERE username = 'zhen01'") == 0


def test_a_wrong_guess_after_the_lock_runs_out_does_not_lock_again(with_orgs):
    add_user(with_orgs, "wang", "correct-horse", "secretary", "C01T01B01")
    now = dt.datetime(2026, 11, 20, 9, 0)
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(AuthError):
            authenticate(with_orgs, "wang", "bad-password", now=now)
    later = now + dt.timedelta(minutes=20)
    with pytest.raises(AuthError, match="用户名或密码错误"):
        authenticate(with_orgs, "wang", "bad-password", now=later)
    assert with_orgs.one("SELECT failed_count, locked_until FROM users WHERE username = 'wang'") == (1, None)


def test_an_unknown_username_is_verified_against_a_dummy_hash(with_orgs):
    add_user(with_orgs, "wang", "correct-horse", "secretary", "C01T01B01")
    with mock.patch.object(users, "verify_password", wraps=users.verify_password) as verify:
        with pytest.raises(AuthError, match="^用户名或密码错误$"):
            authenticate(with_orgs, "nobody", "whatever-1")
        assert verify.call_count == 1
        assert verify.call_args.args == (users._DUMMY_HASH, "whatever-1")
        with pytest.raises(AuthError, match="^用户名或密码错误$"):  # the same answer as a known name
            authenticate(with_orgs, "wang", "whatever-1")
        assert verify.call_count == 2


@pytest.mark.parametrize("password, message", [
    ("        ", "全是空格"),
    ("　　　　　　　　", "全是空格"),  # ideographic spaces
    ("short1", "至少8位"),
    ("WangFang", "不能与用户名相同"),
    ("12345678", "过于常见"),
    ("Password", "过于常见"),
    ("qwerty123", "过于常见"),
    ("jifen2026", "过于常见"),  # the demo's, printed in the README
    (None, "不能为空"),
])
def test_the_password_policy(password, message):
    with pytest.raises(AuthError, match=message):
        check_password(password, "wangfang")
    assert check_password("河边的柳树2025", "wangfang") == "河边的柳树2025"


def test_every_way_to_set_a_password_applies_the_policy(demo_store, store):
    admin = users.get_user(demo_store, "admin")
    scope = scope_for(demo_store, admin)
    with pytest.raises(AuthError, match="过于常见"):
        add_user(demo_store, "li", "password", "recorder", "C01T01B01")
    with pytest.raises(AuthError, match="不能与用户名相同"):
        add_user(demo_store, "lixiaohong", "LiXiaoHong", "recorder", "C01T01B01")
    with pytest.raises(AuthError, match="过于常见"):
        reset_password(demo_store, admin, scope, "jilu01", "qwertyuiop")
    with pytest.raises(AuthError, match="新密码不能全是空格"):
        change_own_password(demo_store, admin, DEMO_PASSWORD, "          ")
    wang = add_user(demo_store, "wangfang01", "correct-horse", "recorder", "C01T01B01")
    with pytest.raises(AuthError, match="新密码不能与用户名相同"):
        change_own_password(demo_store, wang, "correct-horse", "WangFang01")
    with pytest.raises(SetupError, match="过于常见"):
        setup(store, "C01", "某某县", "root", "12345678")
    with pytest.raises(SetupError, match="不能与用户名相同"):
        setup(store, "C01", "某某县", "rootadmin", "RootAdmin")


def test_usernames_are_unique_whatever_their_case(with_orgs):
    add_user(with_orgs, "admin", "correct-horse", "admin", "C01")
    with pytest.raises(AuthError, match="用户已存在：admin"):
        add_user(with_orgs, "Admin", "correct-horse", "admin", "C01")
    with pytest.raises(AuthError, match="用户已存在"):
        add_user(with_orgs, "ＡＤＭＩＮ", "correct-horse", "admin", "C01")  # full-width, NFKC → ADMIN
    # the store refuses it too, for rows that do not come through add_user
    with pytest.raises((duckdb.ConstraintException, psycopg.errors.UniqueViolation)):
        with_orgs.write(lambda cur: cur.execute(
            "INSERT INTO users(username, display_name, password_hash, role, org_code)"
            " VALUES ('ADMIN', 'x', 'x', 'admin', 'C01')").fetchall())
    assert with_orgs.scalar("SELECT count(*) FROM users") == 1


def test_usernames_are_trimmed_normalised_and_visible(with_orgs):
    assert add_user(with_orgs, "  wang01 ", "correct-horse", "secretary", "C01T01B01").username == "wang01"
    assert clean_username("ｚｈａｎｇ１") == "zhang1"
    for bad in ("\u200b\u200b", "li\u200bsi", "li\u0000si", "li si", "li\tsi", "\u2028", "", "   ", None):
        with pytest.raises(AuthError, match="用户名"):
            clean_username(bad)
    with pytest.raises(AuthError, match="看不见的字符"):
        add_user(with_orgs, "wang\u200d02", "correct-horse", "secretary", "C01T01B01")


def test_login_matches_the_username_whatever_its_case(with_orgs):
    add_user(with_orgs, "wang", "correct-horse", "secretary", "C01T01B01")
    assert authenticate(with_orgs, " WANG ", "correct-horse").username == "wang"
    assert authenticate(with_orgs, "Ｗａｎｇ", "correct-horse").username == "wang"


def test_setup_refuses_a_bad_password_or_name_before_writing_the_county(store):
    with pytest.raises(SetupError, match="^密码：不能全是空格$"):
        setup(store, "C01", "某某县", "root", " " * 12)
    with pytest.raises(SetupError, match="^管理员用户名：不能含空格"):
        setup(store, "C01", "某某县", "ro\u200bot", "a-good-password")
    assert store.scalar("SELECT count(*) FROM orgs") == 0  # nothing half-written


def test_parallel_adds_of_one_name_make_one_user_and_tell_the_rest_in_chinese(with_orgs):
    # Eight sessions add wang / Wang at once: the check in the write (and, on a server, the
    # unique index behind it) lets exactly one through; the other 7 hear 用户已存在.
    start, outcomes = threading.Barrier(8), []

    def add(i):
        start.wait()
        try:
            add_user(with_orgs, "Wang" if i % 2 else "wang", "correct-horse", "secretary", "C01T01B01")
            outcomes.append("added")
        except AuthError as exc:
            outcomes.append(str(exc).split("：")[0])

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["added"] + ["用户已存在"] * 7
    assert with_orgs.scalar("SELECT count(*) FROM users WHERE lower(username) = 'wang'") == 1
