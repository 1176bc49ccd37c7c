"""结果运用: 评先评优 candidates, 处置 cases, 星级挂牌 (issue 12)."""

import streamlit as st

from ui.session import guard

user, scope, store = guard("results_use")
st.title("结果运用")
