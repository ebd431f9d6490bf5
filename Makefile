# Every target sets up what it needs first (scripts/setup.sh is idempotent and offline-safe).
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/.venv/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export CDK_DISABLE_CLI_TELEMETRY := true
PYTEST_ARGS ?=
# The upstream chart packages the gate renders: ../shared in tests and CI (`innovate charts pull` elsewhere).
export INNOVATE_CHARTS ?= $(abspath $(CURDIR)/../shared/upstream-charts)

.PHONY: setup run test check gitops bench lint clean

setup:
	@bash scripts/setup.sh

run: setup  ## synthesize dev, staging, prod and shared offline with the example platform.yaml
	innovate synth --env all

test: setup  ## every test: unit, synth, charts, GitOps, apps, browser, workflows
	bash scripts/run_tests.sh $(PYTEST_ARGS)

check: setup  ## the offline gate
	innovate check

gitops: setup  ## re-render the committed gitops/ tree from platform.yaml
	innovate gitops

bench: setup  ## every benchmark script: synth time, the gate's time, the simulator, API load on loopback
	python bench/synth.py
	python bench/check.py
	python bench/simulate.py
	python bench/api_load.py

clean:
	rm -rf cdk.out .pytest_cache build
