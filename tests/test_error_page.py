"""An unexpected error on a page reaches the user as one Chinese sentence, never a traceback
(the details go to the server log); tests themselves run with JIFEN_DEBUG and see errors."""

import core.attention


def test_a_page_error_shows_a_chinese_message_and_no_details(app_as, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM users -- /work/main/core/attention.py")

    monkeypatch.setattr(core.attention, "todos", broken)
    monkeypatch.delenv("JIFEN_DEBUG")
    at = app_as("shuji01")  # logs in, lands on 首页, whose 待办 call fails
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "页面出错了" in shown and "管理员" in shown
    everything = " ".join(str(getattr(e, "value", "")) for e in at.main)
    assert "SELECT" not in everything and "RuntimeError" not in everything and "attention.py" not in everything


def test_a_database_that_cannot_be_reached_is_said_in_chinese_without_its_address(monkeypatch):
    """The first read (the login state) before any page: a server down, a file another
    process holds. Before, Streamlit's English redaction notice reached the user."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setenv("JIFEN_DB", "postgresql://jifen:secret@127.0.0.1:1/jifen")  # nothing listens on port 1
    monkeypatch.setenv("JIFEN_PG_TIMEOUT", "2")
    monkeypatch.delenv("JIFEN_DEBUG")
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "暂时无法连接数据库，错误已记入服务器日志。请稍后刷新页面重试；如仍无法使用，请联系系统管理员。"]
    everything = " ".join(str(getattr(e, "value", "")) for e in at.main)
    assert "127.0.0.1" not in everything and "jifen@" not in everything and "secret" not in everything
    assert not at.text_input  # no login form over a database that is not there
