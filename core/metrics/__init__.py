"""Dashboard reads: participation, attendance, coverage, distributions, comparisons, trends,
alerts and the member file. Plain SQL/Polars over DuckDB, scope-filtered; no streamlit."""
