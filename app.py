"""Entry point: page config, login, and the navigation the user's role may see.

Every page of the registry has its URL in every state, so a typed or refreshed URL never
meets Streamlit's "Page not found": logged out, each URL shows the login form and, once
logged in, the same URL is the page asked for; a page outside the role shows a refusal.
"""

import logging
import os

import streamlit as st

from core.auth import can
from core.store.errors import StoreUnavailable
from ui.login import login_page
from ui.registry import BY_KEY, PAGES
from ui.session import current_user, logout, refuse, sync_cookie
from ui.widgets import md

st.set_page_config(page_title="积分制管理系统", page_icon=":material/star:", layout="wide")
PAGE_FAILED = "页面出错了，错误已记入服务器日志。请刷新页面重试；如仍出错，请联系系统管理员。"
NO_DATABASE = "暂时无法连接数据库，错误已记入服务器日志。请稍后刷新页面重试；如仍无法使用，请联系系统管理员。"


def _failed(what: str, exc: Exception) -> None:
    """A user sees a Chinese sentence, never a traceback or Streamlit's English redaction notice
    (showErrorDetails = "none"); the server log keeps the details. Tests set JIFEN_DEBUG so
    that an error fails them. The database's address (a user name, a host) is not shown."""
    if os.environ.get("JIFEN_DEBUG"):
        raise exc
    logging.getLogger("jifen").error(what, exc_info=exc)
    st.error(NO_DATABASE if isinstance(exc, StoreUnavailable) else PAGE_FAILED)


def _login_for(title):
    def page():
        login_page(title)
    return page


def _refusal(user, title):
    def page():
        refuse(user, title)
    return page


def _landing(user) -> str:
    """A subject (member or household head) lands on 我的积分; staff on 首页."""
    return "my_points" if user.role == "subject" else "home"


def _home():
    st.switch_page(BY_KEY[_landing(user)].path)


try:
    user = current_user()  # the first read of the database: a server down or a file held elsewhere
except Exception as exc:  # st.stop and st.rerun are BaseExceptions and pass through
    _failed("无法读取登录状态", exc)
    st.stop()
if user is None:
    # The default page is served at "/" whatever its url_path; /login is a page of its own.
    pages = [st.Page(login_page, title="登录", icon=":material/login:", url_path="start", default=True),
             st.Page(login_page, title="登录", url_path="login", visibility="hidden")]
    pages += [st.Page(_login_for(spec.title), title=spec.title, url_path=spec.key, visibility="hidden")
              for spec in PAGES]
    navigation = st.navigation(pages, position="hidden")
else:
    sections: dict[str, list] = {}
    hidden = []
    for spec in PAGES:
        if can(user.role, spec.action):
            sections.setdefault(spec.section, []).append(
                st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.key,
                        default=spec.key == _landing(user)))
        else:
            hidden.append(st.Page(_refusal(user, spec.title), title=spec.title, url_path=spec.key,
                                  visibility="hidden"))
    # /login (or /start) typed or bookmarked while logged in goes home
    hidden.append(st.Page(_home, title="首页", url_path="start", visibility="hidden"))
    hidden.append(st.Page(_home, title="登录", url_path="login", visibility="hidden"))
    sections.setdefault(PAGES[-1].section, []).extend(hidden)
    navigation = st.navigation(sections, expanded=True)  # every page listed: no English "View 7 more"
    with st.sidebar:
        st.markdown(f"**{md(user.display_name)}**（{user.role_name}）")
        if st.button("退出登录", icon=":material/logout:"):
            logout("已退出登录")
            st.rerun()
sync_cookie()
try:
    navigation.run()
except Exception as exc:
    _failed("页面出错", exc)
