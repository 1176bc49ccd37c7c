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
