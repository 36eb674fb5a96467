# KAM's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
KAM    := $(BIN)/kam
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test install lint typecheck serve-production translations clean

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)
	$(KAM) compiletranslations

## Run KAM on its embedded default: SQLite under var/, demo data, http://127.0.0.1:8000
run: install
	$(KAM) migrate --noinput
	$(KAM) demo --if-empty
	$(KAM) runserver 127.0.0.1:8000

## Run the whole test suite (set KAM_DATABASE_URL=postgres://... to run it on PostgreSQL)
test: install
	$(BIN)/pytest -n auto

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy kam

## Refresh the translation catalogues from the source (needs GNU gettext)
translations: install
	scripts/update-translations.sh
	$(KAM) compiletranslations

clean:
	rm -rf $(VENV) var staticfiles test-artifacts
