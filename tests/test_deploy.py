"""deploy/: the nginx site passes `nginx -t`, and in front of two app processes on one
PostgreSQL it answers the health check, upgrades the WebSocket and keeps a browser on one
process; the systemd template runs what `make run` runs, per port, as a non-root user.
The nginx checks skip where nginx is not installed (it is not in CI's required path)."""

from __future__ import annotations

import configparser
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "deploy" / "nginx" / "jifen.conf"
UNIT = ROOT / "deploy" / "systemd" / "jifen@.service"
ENV = ROOT / "deploy" / "jifen.env.example"


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.skip("未安装 nginx（apt-get install -y nginx），跳过站点配置检查")
    return found


def _main_conf(tmp_path: Path, site: Path, port: int | None = None) -> Path:
    """An nginx.conf of our own that includes the site, with every path under tmp_path."""
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"http {{\n  access_log off;\n  include {site};\n}}\n")
    return conf


def test_the_nginx_site_passes_nginx_t(tmp_path):
    nginx = _nginx()
    run = subprocess.run([nginx, "-t", "-c", str(_main_conf(tmp_path, SITE)), "-p", str(tmp_path), "-e", "stderr"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "syntax is ok" in run.stderr
    text = SITE.read_text()
    assert "location = /_stcore/health" in text
    assert "client_max_body_size 21m" in text  # the 20 MB import limit, plus the form's own bytes
    assert re.search(r"proxy_read_timeout\s+86400s", text)


def test_the_systemd_template_runs_one_app_process_per_port():
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str
    unit.read(UNIT, encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStart"].endswith("streamlit run server.py --server.port %i --server.address 127.0.0.1"
                                         " --server.headless true")
    assert service["EnvironmentFile"] == "/etc/jifen/jifen.env"
    assert service["Restart"] == "on-failure"
    assert service["User"] not in ("", "root")
    env = dict(line.split("=", 1) for line in ENV.read_text().splitlines() if line and not line.startswith("#"))
    assert env["JIFEN_DB"].startswith("postgresql://") and {"JIFEN_PG_POOL", "JIFEN_BACKUP_DIR"} <= set(env)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _upgrade(port: int, cookie: str) -> str:
    """The status line nginx returns for a WebSocket handshake on /_stcore/stream."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   f"Sec-WebSocket-Version: 13\r\nCookie: {cookie}\r\n\r\n").encode())
        return s.recv(4096).decode(errors="replace").split("\r\n")[0]


@pytest.mark.browser  # two streamlit processes: with the other live-server tests
def test_nginx_in_front_of_two_app_processes(tmp_path, pg_cluster):
    """The site as shipped, its upstream pointed at two test ports: /_stcore/health answers
    through it, a first visit gets a routing cookie that later requests keep, and the
    WebSocket handshake comes back 101 (upgraded), not 400."""
    from tests.conftest import _drop_db, pg_copy, serve

    nginx = _nginx()
    name, url = pg_copy(pg_cluster, "jifen_template")
    servers = [serve(url), serve(url)]
    ports = []
    proc = None
    try:
        ports = [int(next(s).rsplit(":", 1)[1]) for s in servers]
        listen = _free_port()
        site = SITE.read_text()
        site = re.sub(r"(\n    server 127\.0\.0\.1:\d+[^\n]*)+",
                      "".join(f"\n    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in ports), site)
        site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
        (tmp_path / "jifen.conf").write_text(site)
        proc = subprocess.Popen([nginx, "-c", str(_main_conf(tmp_path, tmp_path / "jifen.conf")), "-p", str(tmp_path),
                                 "-e", "stderr", "-g", "daemon off;"], stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{listen}"
        for _ in range(50):
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                    assert (r.status, r.read()) == (200, b"ok")
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("nginx 未启动：" + (tmp_path / "error.log").read_text(errors="replace")[-2000:])

        with urllib.request.urlopen(base + "/", timeout=10) as r:
            assert r.status == 200
            route = re.search(r"jifen_route=([^;]+)", r.headers["Set-Cookie"]).group(1)
        request = urllib.request.Request(base + "/", headers={"Cookie": f"jifen_route={route}"})
        with urllib.request.urlopen(request, timeout=10) as r:
            assert f"jifen_route={route};" in r.headers["Set-Cookie"]  # kept, not a new one
        assert _upgrade(listen, f"jifen_route={route}").startswith("HTTP/1.1 101")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        for s in servers:
            next(s, None)
        _drop_db(pg_cluster, name)
