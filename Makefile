# Herald: the two commands are `make run` and `make test`; everything else is a helper.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The checkout's own code comes first, also in a git worktree whose .venv is a link to another checkout's.
export PYTHONPATH := $(CURDIR)/layers/shared:$(CURDIR)/local

.PHONY: run test scan lint format typecheck complexity cfn-lint pytest template openapi compare-openapi build validate deploy bench clean

$(STAMP): pyproject.toml requirements-dev.txt layers/shared/requirements.txt
	@test -x $(PY) || "$$(scripts/find-python312.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	scripts/keep-urllib3.sh $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/herald-local

test: $(STAMP) lint typecheck complexity cfn-lint scan compare-openapi pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(STAMP)
	$(VENV)/bin/mypy layers/shared/herald local/herald_local functions tests bench

# Complexity gate (radon's ranks through xenon): no block worse than E, no module worse than C, the average A.
# The thresholds are what the code meets today (docs/decisions.md); lower them as the worst blocks are split.
complexity: $(STAMP)
	$(VENV)/bin/xenon --max-absolute E --max-modules C --max-average A layers/shared/herald local/herald_local functions bench scripts

cfn-lint: $(STAMP)
	$(VENV)/bin/cfn-lint template.yaml

# Security scanners: bandit on the code, checkov on the template (its own venv: its pins clash with pytest's).
scan: $(STAMP) .venv-scan/.installed
	$(VENV)/bin/bandit -q -r layers/shared/herald local/herald_local functions -ll
	.venv-scan/bin/checkov -f template.yaml --config-file .checkov.yaml

.venv-scan/.installed:
	@test -x .venv-scan/bin/python || "$$(scripts/find-python312.sh)" -m venv .venv-scan
	.venv-scan/bin/pip install --quiet --disable-pip-version-check checkov==3.3.30
	@touch $@

pytest: $(STAMP)
	$(VENV)/bin/pytest -n 2 --dist loadgroup --durations=15

# template.yaml's per-kind blocks (queues, DLQs, alarms, event sources, send policies) from the channel contract
template: $(STAMP)
	$(PY) -m herald_local.template_gen write

openapi: $(STAMP)
	$(PY) -m herald_local.openapi write

compare-openapi: $(STAMP)
	$(PY) -m herald_local.openapi check

# SAM CLI lives in its own venv: its pins clash with moto's.
.venv-sam/.installed:
	@test -x .venv-sam/bin/python || "$$(scripts/find-python312.sh)" -m venv .venv-sam
	.venv-sam/bin/pip install --quiet --disable-pip-version-check aws-sam-cli==1.170.0
	@touch $@

validate: .venv-sam/.installed
	PATH="$$(dirname "$$(scripts/find-python312.sh)"):$$PATH" .venv-sam/bin/sam validate --lint

build: .venv-sam/.installed
	PATH="$$(dirname "$$(scripts/find-python312.sh)"):$$PATH" .venv-sam/bin/sam build

# `sam deploy --guided` after a build: asks for the parameters (docs/deploy.md says which matter) and saves
# the answers in samconfig.toml. DEPLOY_ENV=prod deploys the prod config (stack herald-prod).
DEPLOY_ENV ?= default
deploy: build
	PATH="$$(dirname "$$(scripts/find-python312.sh)"):$$PATH" .venv-sam/bin/sam deploy --guided --config-env $(DEPLOY_ENV)

bench: $(STAMP) build
	$(PY) -m bench

clean:
	rm -rf $(VENV) .venv-sam .venv-scan .aws-sam .pytest_cache .mypy_cache .ruff_cache
