# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
DB ?= data/jifen.duckdb
PORT ?= 8501
# Only this computer by default; `make run ADDRESS=0.0.0.0` serves the office network (README).
ADDRESS ?= 127.0.0.1

.PHONY: run test setup browser-deps pg-deps demo bench clean

run: $(STAMP)
	$(PY) -m core demo --size S --if-missing --db $(DB)
	JIFEN_DB=$(DB) $(VENV)/bin/streamlit run server.py --server.headless true --server.address $(ADDRESS) --server.port $(PORT)

test: $(STAMP) browser-deps pg-deps
	$(PY) -m pytest -n 2 --dist loadfile --no-loadscope-reorder -q

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# Browser tests drive Debian's chromium; PDFs and chart PNGs need a CJK font; the PDF tests
# look at the pages drawn by poppler's pdftoppm. Installed only when running as root;
# elsewhere those tests skip with a reason.
browser-deps:
	@if [ "$$(id -u)" = "0" ] && { [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || [ ! -x /usr/bin/pdftoppm ]; }; then \
		echo "安装 chromium、chromium-driver、fonts-noto-cjk、poppler-utils"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver fonts-noto-cjk poppler-utils; \
	fi

# Every store test runs on DuckDB and on PostgreSQL (a throwaway cluster from the installed
# binaries). Installed only when running as root; elsewhere the PostgreSQL side skips, except
# under CI, where it fails.
pg-deps:
	@if [ "$$(id -u)" = "0" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "安装 postgresql"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; \
	fi

demo: $(STAMP)
	$(PY) -m core demo --size S --db $(DB)

bench: $(STAMP)
	$(PY) -m core bench --size S

clean:
	rm -rf $(VENV) .pytest_cache
