# The few commands a contributor needs. Each one creates and uses .venv, because
# Debian's own Python refuses system-wide pip installs (PEP 668).
# On a fresh Debian 12, run scripts/bootstrap first (installs make and python3-venv).
VENV    ?= .venv
PY      := $(VENV)/bin/python
SAMPLE  := exports/sala-gondolatai.wordpress.2024-06-18.xml
DEMO_OUT ?= warc

.PHONY: demo test lint bench venv clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: $(PY) pyproject.toml
	$(PY) -m pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/wparchive archive $(SAMPLE) --out $(DEMO_OUT)

# pytest's exit 5 means no test ran: that proves nothing, so it fails.
test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: no tests ran" >&2; exit 1; fi; exit $$rc

# The full benchmark (WXR 1k-50k posts, the peer, REST on the real test site with 5,000
# posts; BENCHMARKS.md); ~40 minutes. BENCH_ARGS=--wxr-only or --rest-only runs one half.
bench: $(VENV)/.installed
	$(PY) -m bench.run $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check wparchive tests bench
	$(VENV)/bin/ruff format --check wparchive tests bench

clean:
	rm -rf $(VENV) build *.egg-info
