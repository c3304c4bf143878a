# One entry for set-up, chat and tests. `make chat` and `make test` work on a fresh clone.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: chat test lint index eval bench bench-large bench-ann clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

chat: $(STAMP)  ## console chat on the bundled article (builds the index if needed)
	$(BIN)/article-bot chat

test: $(STAMP)  ## lint, types, then unit + integration tests with the real bundled model
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

index: $(STAMP)
	$(BIN)/article-bot rebuild-index

eval: $(STAMP)  ## score the shared question set
	$(BIN)/article-bot eval ../shared/eval/questions.jsonl

bench: $(STAMP)  ## speed and memory beside their floors (about 4 min on 2 idle cores, 11 shared)
	$(BIN)/python benchmarks/performance.py

# bench-large: about 22 min on 2 idle cores, 13 of them the 5 MB build and its bare encode.
bench-large: $(STAMP)  ## also the 5 MB build, 1,000 documents and 1M-vector IVF recall (slow)
	$(BIN)/python benchmarks/performance.py --large

bench-ann: $(STAMP)  ## only the 1M-vector IVF recall and latency (a few minutes, ~4 GB)
	$(BIN)/python benchmarks/performance.py --only ann

clean:
	rm -rf $(VENV) .index .pytest_cache
