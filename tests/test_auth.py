import datetime as dt

import pytest

from core.auth import AuthError, add_user, authenticate, can, require, PermissionDenied
from core.auth.users import MAX_FAILURES


def test_password_is_hashed_with_argon2id(with_orgs):
    add_user(with_orgs, "wang", "长密码也可以用中文字符没有七十二字节的限制吗" * 3, "secretary", "C01T01B01")
    hashed = with_orgs.scalar("SELECT password_hash FROM users WHERE username = 'wang'")
    assert hashed.startswith("$argon2id$")
    assert "长密码" not in hashed


def test_login_with_right_and_wrong_password(with_orgs):
    add_user(with_orgs, "wang", "correct-horse", "secretary", "C01T01B01", "王书记")
    user = authenticate(with_orgs, "wang", "correct-horse")
    assert (user.username, user.role, user.org_code, user.display_name) == ("wang", "secretary", "C01T01B01", "王书记")
    with pytest.raises(AuthError, match="用户名或密码错误"):
        authenticate(with_orgs, "wang", "wrong-password")
    with pytest.raises(AuthError, match="用户名或密码错误"):
        authenticate(with_orgs, "nobody", "whatever1")


def test_repeated_failures_lock_the_account(with_orgs):
    add_user(with_orgs, "wang", "correct-horse", "secretary", "C01T01B01")
    now = dt.datetime(2026, 11, 20, 9, 0)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AuthError, match="用户名或密码错误"):
            authenticate(with_orgs, "wang", "bad-password", now=now)
    with pytest.raises(AuthError, match="锁定"):
        authenticate(with_orgs, "wang", "bad-password", now=now)
    with pytest.raises(AuthError, match="锁定至"):  # even the right password is refused while locked
        authenticate(with_orgs, "wang", "correct-horse", now=now + dt.timedelta(minutes=5))
    assert authenticate(with_orgs, "wang", "correct-horse", now=now + dt.timedelta(minutes=16)).username == "wang"


def test_add_user_validates_role_org_and_password(with_orgs):
    with pytest.raises(AuthError, match="未知角色"):
        add_user(with_orgs, "a", "pass-word-1", "king", "C01")
    with pytest.raises(AuthError, match="未知组织编码"):
        add_user(with_orgs, "a", "pass-word-1", "admin", "X99")
    with pytest.raises(AuthError, match="所属组织必须是党支部（村），C01T01 是乡镇（街道）"):
        add_user(with_orgs, "a", "pass-word-1", "secretary", "C01T01")
    with pytest.raises(AuthError, match="至少8位"):
        add_user(with_orgs, "a", "short", "admin", "C01")
    add_user(with_orgs, "a", "pass-word-1", "admin", "C01")
    with pytest.raises(AuthError, match="已存在"):
        add_user(with_orgs, "a", "pass-word-1", "admin", "C01")
    assert with_orgs.scalar("SELECT count(*) FROM audit_log WHERE action = 'user.add'") == 1


def test_role_permissions():
    assert can("secretary", "publish") and not can("recorder", "publish")
    assert can("recorder", "enter") and not can("recorder", "review")
    assert can("township", "reopen") and not can("secretary", "reopen")

    class U:
        role = "recorder"

    with pytest.raises(PermissionDenied, match="记分员无权审核"):
        require(U, "review")
