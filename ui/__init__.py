"""Streamlit helpers shared by app.py and pages/: session, guards, page registry, widgets."""
