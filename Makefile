# The two commands of the README:
#   make demo   set everything up, then run the sample bots end to end (embedded SQLite)
#   make test   set everything up, then lint (scripts/lint.sh) and run the whole test suite
# Both create .venv and install what is missing; nothing needs installing by hand.

PYTHON ?= python3
VENV ?= .venv
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench setup clean

$(STAMP): pyproject.toml scripts/setup.sh
	PYTHON=$(PYTHON) VENV=$(VENV) scripts/setup.sh
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	scripts/system.sh scripts/apt-demo.txt
	$(VENV)/bin/backoffice demo

test: $(STAMP)
	VENV=$(VENV) scripts/test.sh

lint: $(STAMP)
	VENV=$(VENV) scripts/lint.sh

bench: $(STAMP)
	$(VENV)/bin/python bench/queue.py

clean:
	rm -rf $(VENV) backoffice-demo .pytest_cache .mypy_cache .ruff_cache
