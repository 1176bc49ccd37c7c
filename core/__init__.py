"""jifen core: the library behind the app. Never imports streamlit."""
