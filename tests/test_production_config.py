"""Production configuration (issue 13): what a user's browser may see and where the app listens.

- ``.streamlit/config.toml``: no error details in the browser (app.py shows a Chinese message,
  the log keeps the traceback), no developer menu, XSRF on, and the upload limit the importer's
  own (core.imports.MAX_BYTES), so the uploader refuses a file the importer would refuse.
- ``make run`` listens on 127.0.0.1 unless ``ADDRESS`` says otherwise, and the README says
  how to serve a township office's network.
"""

from __future__ import annotations

import re
import subprocess
import tomllib

from core.imports import MAX_BYTES
from tests.conftest import ROOT


def test_the_streamlit_config_hides_details_and_matches_the_importer():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    # the issue asked for "viewer"; "minimal" also removes viewer's English ⋮ menu
    assert config["client"]["toolbarMode"] in ("viewer", "minimal")
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_BYTES  # MB, as Streamlit counts them


def test_make_run_listens_on_this_computer_only_unless_told():
    dry = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    line = next(x for x in dry.stdout.splitlines() if "streamlit run" in x)
    assert re.search(r"--server\.address 127\.0\.0\.1(\s|$)", line), line
    lan = subprocess.run(["make", "-n", "run", "ADDRESS=0.0.0.0"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "--server.address 0.0.0.0" in lan.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run ADDRESS=0.0.0.0" in readme and "局域网" in readme
