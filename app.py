"""Entry point: page config, login, and the navigation the user's role may see."""

import streamlit as st

from core.auth import can
from ui.login import login_page
from ui.registry import PAGES
from ui.session import current_user, logout
from ui.widgets import md

st.set_page_config(page_title="积分制管理系统", page_icon=":material/star:", layout="wide")

user = current_user()
if user is None:
    navigation = st.navigation([st.Page(login_page, title="登录", icon=":material/login:")])
else:
    sections: dict[str, list] = {}
    for spec in PAGES:
        if can(user.role, spec.action):
            sections.setdefault(spec.section, []).append(
                st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.key, default=spec.key == "home"))
    navigation = st.navigation(sections)
    with st.sidebar:
        st.markdown(f"**{md(user.display_name)}**（{user.role_name}）")
        if st.button("退出登录", icon=":material/logout:"):
            logout("已退出登录")
            st.rerun()
navigation.run()
