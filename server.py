"""The app as served: app.py plus the route that sets the login cookie.

``streamlit run server.py`` (what ``make run`` does) serves app.py as ``streamlit run app.py``
would, with one extra HTTP route (``ui/auth_routes.py``) so that a login survives a page
refresh. Run app.py alone and everything works except that.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui.auth_routes import ROUTES

# A pages/ folder next to app.py makes Streamlit start in its old folder-based navigation
# until some session has called st.navigation: the first visitor after a restart who typed
# /results would run pages/results.py bare, outside app.py's login and navigation. app.py
# always builds its own navigation, so the folder mode is switched off from the start.
PagesManager.uses_pages_directory = False

app = st.App("app.py", routes=ROUTES)
