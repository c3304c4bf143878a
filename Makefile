# One entry for set-up, chat and tests. `make chat` and `make test` work on a fresh clone.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: chat test lint index eval bench clean

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

bench: $(STAMP)
	$(BIN)/python benchmarks/answer_latency.py

clean:
	rm -rf $(VENV) .index .pytest_cache
