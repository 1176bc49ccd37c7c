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


def test_user_list_says_never_logged_in_and_shows_minutes(demo_store):
    import datetime as dt
    admin, scope = actor(demo_store, "admin")
    authenticate(demo_store, "zhen01", "jifen2026", now=dt.datetime(2025, 7, 1, 8, 30, 59))
    frame = list_users(demo_store, admin, scope)
    last = dict(zip(frame["用户名"], frame["最近登录"]))
    assert last["zhen01"] == "2025-07-01 08:30" and last["jilu01"] == "从未登录"
    assert dict(zip(frame["用户名"], frame["角色"]))["zhen01"] == "乡镇（街道）组织委员"
    assert frame.null_count().sum_horizontal().item() == 0


def test_user_choices_are_unique_and_name_the_org(demo_store):
    from core.auth.admin import user_choices
    admin, scope = actor(demo_store, "admin")
    create_user(demo_store, admin, scope, "wang2", "first-password", "recorder", "C01T01B01", "刘芳")
    choices = user_choices(demo_store, admin, scope)
    assert len(set(choices.values())) == len(choices)
    # two 刘芳 of the same branch differ by their username
    assert choices["jilu01"].startswith("刘芳（jilu01 · ") and choices["wang2"].startswith("刘芳（wang2 · ")


def _admin_page(app_as):
    at = app_as("admin")
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    return at


def _status(at, username):
    frame = at.dataframe[0].value
    return frame.loc[frame["用户名"] == username, "状态"].item()


def test_admin_page_disable_picks_from_a_list_and_the_list_refreshes(app_as):
    at = _admin_page(app_as)
    assert at.selectbox(key="manage_target").value is None  # no default: the admin must choose
    at.selectbox(key="manage_target").set_value("jilu01").run()
    at.button(key="disable_user").click().run()
    assert not at.exception
    assert [s.value for s in at.success][0].startswith("已停用 刘芳（jilu01 · ")
    assert _status(at, "jilu01") == "停用"  # the table above the form already shows it
    at.button(key="enable_user").click().run()
    assert _status(at, "jilu01") == "启用"


def test_admin_page_resets_a_password_chosen_from_the_list(app_as, demo_path):
    at = _admin_page(app_as)
    at.selectbox(key="manage_target").set_value("jilu01").run()
    at.text_input(key="reset_new").input("another-pass-1")
    at.text_input(key="reset_again").input("another-pass-2")
    at.button(key="FormSubmitter:reset_password-重置密码").click().run()
    assert [e.value for e in at.error] == ["两次输入的新密码不一致"]
    at.text_input(key="reset_new").input("another-pass-1")
    at.text_input(key="reset_again").input("another-pass-1")
    at.button(key="FormSubmitter:reset_password-重置密码").click().run()
    assert not at.exception and "已重置 刘芳（jilu01" in at.success[0].value
    from core.store import open_store
    assert authenticate(open_store(str(demo_path)), "jilu01", "another-pass-1").username == "jilu01"


def test_admin_page_backup_shows_its_absolute_path_and_offers_a_zip(app_as, tmp_path, monkeypatch):
    monkeypatch.setenv("JIFEN_BACKUP_DIR", str(tmp_path / "saved"))
    at = _admin_page(app_as)
    assert (tmp_path / "saved").resolve().as_posix() in at.code[0].value
    assert [i.value for i in at.info] == ["尚无备份"]
    next(b for b in at.button if b.label == "立即备份").click().run()
    assert not at.exception
    made = list((tmp_path / "saved").iterdir())
    assert len(made) == 1 and (made[0] / "schema.sql").exists()
    assert at.success[0].value == f"已备份到 {made[0].resolve()}"
    assert at.selectbox(key="backup_pick").value == str(made[0].resolve())
    assert [b.label for b in at.get("download_button")] == ["下载此备份（zip）"]


def test_backup_goes_next_to_the_database_and_zips_whole(demo_file_store, tmp_path, monkeypatch):
    demo_store = demo_file_store  # about the DuckDB file and its folder (a server is backed up otherwise)
    import io
    import zipfile
    from core.backup import backup, backup_root, default_backup_dir, list_backups, restore, zip_bytes

    monkeypatch.delenv("JIFEN_BACKUP_DIR", raising=False)
    assert backup_root(demo_store) == demo_store.path.parent.resolve() / "backups"
    first = backup(demo_store, default_backup_dir(demo_store), username="admin")
    second = backup(demo_store, default_backup_dir(demo_store), username="admin")  # same second: a suffix
    assert first != second and list_backups(demo_store)[0].name >= list_backups(demo_store)[1].name
    names = zipfile.ZipFile(io.BytesIO(zip_bytes(first))).namelist()
    assert f"{first.name}/schema.sql" in names and f"{first.name}/load.sql" in names
    zipfile.ZipFile(io.BytesIO(zip_bytes(first))).extractall(tmp_path / "unzipped")
    restored = restore(tmp_path / "unzipped" / first.name, tmp_path / "r.duckdb")
    from core.store import Store
    s = Store(restored)
    assert s.scalar("SELECT count(*) FROM users") == demo_store.scalar("SELECT count(*) FROM users")
    # sessions of the copy are ended: an old cookie cannot log in to a restored database
    assert s.scalar("SELECT count(*) FROM sessions WHERE revoked_at IS NULL") == 0
    s.close()


def test_every_role_changes_its_own_password(app_as, demo_path):
    at = app_as("jilu01")
    at.switch_page("pages/account.py").run()
    assert not at.exception and at.title[0].value == "我的账号"
    at.text_input(key="own_old").input("wrong-password")
    at.text_input(key="own_new").input("brand-new-pass")
    at.text_input(key="own_again").input("brand-new-pass")
    at.button(key="FormSubmitter:change_password-修改密码").click().run()
    assert [e.value for e in at.error] == ["原密码不正确"]
    at.text_input(key="own_old").input("jifen2026")
    at.text_input(key="own_new").input("brand-new-pass")
    at.text_input(key="own_again").input("brand-new-pass")
    at.button(key="FormSubmitter:change_password-修改密码").click().run()
    assert not at.exception and at.success[0].value.startswith("密码已修改")
    assert at.session_state["user"].username == "jilu01"  # this session stays logged in
    from core.store import open_store
    assert authenticate(open_store(str(demo_path)), "jilu01", "brand-new-pass").username == "jilu01"


def test_the_backup_tab_tells_each_store_how_to_restore(store, tmp_path, monkeypatch):
    """A server's backup is pg_dump's, restored into a new empty database; a file's is restored
    as a new file, with the app stopped. Before, a server's admin read the file's instructions."""
    from core.first_run import setup
    from tests.conftest import page_runner

    setup(store, "C01", "某某县", "root", "a-good-password", "周立")
    admin = get_user(store, "root")
    target = store.url or store.path
    store.close()
    monkeypatch.setenv("JIFEN_BACKUP_DIR", str(tmp_path / "saved"))
    at = page_runner(target, monkeypatch, admin)("pages/admin.py")
    told = " ".join(m.value for m in [*at.markdown, *at.caption])
    if store.backend == "postgres":
        assert "备份由应用进程调用 PostgreSQL 的 pg_dump 完成，备份时照常录入和查看，每次生成一个包含全部数据表的目录" in told
        assert "恢复到一个新建的空数据库：python -m core restore 备份目录 --db postgresql://…/新库名" in told
        assert "DuckDB" not in told and "新文件" not in told
    else:
        assert "备份在应用进程内完成（DuckDB 不允许第二个进程打开数据库），每次生成" in told
        assert "恢复时停止应用，运行 python -m core restore 备份目录 --db 新文件" in told
    next(b for b in at.button if b.label == "立即备份").click().run()
    assert not at.exception and at.success[0].value.startswith("已备份到 ")
