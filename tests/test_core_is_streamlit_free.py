import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "core"


def test_core_never_imports_streamlit():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(CORE.parent)}: {n}" for n in names if n.split(".")[0] == "streamlit"]
    assert offenders == []


def test_the_check_itself_sees_an_import(tmp_path):
    tree = ast.parse("import os\nfrom streamlit import session_state\n")
    found = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert found == ["streamlit"]
