import pytest

from core.auth import AuthError, PermissionDenied, authenticate, get_user, scope_for
from core.auth.admin import create_user, list_users, reset_password, set_active


def actor(store, name):
    user = get_user(store, name)
    return user, scope_for(store, user)


def test_admin_adds_disables_and_resets(demo_store):
    admin, scope = actor(demo_store, "admin")
    create_user(demo_store, admin, scope, "li", "first-password", "recorder", "C01T01B03", "李记分员")
    assert "li" in list_users(demo_store, admin, scope)["用户名"].to_list()
    set_active(demo_store, admin, scope, "li", False)
    with pytest.raises(AuthError, match="停用"):
        authenticate(demo_store, "li", "first-password")
    set_active(demo_store, admin, scope, "li", True)
    reset_password(demo_store, admin, scope, "li", "second-password")
    assert authenticate(demo_store, "li", "second-password").username == "li"
    actions = [r[0] for r in demo_store.all(
        "SELECT action FROM audit_log WHERE entity_id = 'li' AND username = 'admin' ORDER BY id")]
    assert actions == ["user.add", "user.disable", "user.enable", "user.reset_password"]


def test_only_admins_manage_users(demo_store):
    township, scope = actor(demo_store, "zhen01")
    with pytest.raises(PermissionDenied):
        list_users(demo_store, township, scope)
    with pytest.raises(PermissionDenied):
        create_user(demo_store, township, scope, "x", "password1", "recorder", "C01T01B01")


def test_admin_cannot_disable_self(demo_store):
    admin, scope = actor(demo_store, "admin")
    with pytest.raises(AuthError, match="自己"):
        set_active(demo_store, admin, scope, "admin", False)


def test_admin_page_adds_a_user(app_as):
    at = app_as("admin")
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    at.text_input(key="new_username").input("wang")
    at.text_input(key="new_display").input("王书记")
    at.text_input(key="new_password").input("password-123")
    at.selectbox(key="new_org").set_value("C01T01B02")
    at.button(key="FormSubmitter:add_user-新增用户").click().run()
    assert not at.exception
    assert any("已新增用户 wang" in s.value for s in at.success)
