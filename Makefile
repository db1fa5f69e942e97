# aws-runas: build, test, demo, benchmarks. Everything the build and the tests need is installed
# from here (the Rust toolchain itself is the machine's).

CARGO  ?= cargo
PYTHON ?= python3
VENV   := .venv
HOST   := $(shell rustc -vV | sed -n 's/^host: //p')
STATIC := target/$(HOST)/release/aws-runas

.PHONY: all build release static test demo bench compare fuzz lint venv extras clean

all: build

build release:
	$(CARGO) build --release

# A statically linked binary (static glibc), for containers and CI images.
static:
	RUSTFLAGS="-C target-feature=+crt-static" $(CARGO) build --release --target $(HOST)
	@ldd $(STATIC) 2>&1 | grep -Eq 'statically linked|not a dynamic executable' \
		|| { echo "not statically linked: $(STATIC)"; ldd $(STATIC); exit 1; }
	@ls -l $(STATIC) | awk '{print "static binary: " $$NF " (" $$5 " bytes)"}'

# The test dependencies (moto's server, boto3, the aws CLI), pinned, in a local virtualenv.
venv: $(VENV)/.installed

$(VENV)/.installed: tests/emulator/requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/emulator/requirements.txt
	touch $@

test: venv
	$(CARGO) test

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

# Builds, starts the local STS/IAM emulator, assumes a role through it and runs the aws CLI.
demo: venv build
	bash extras/demo.sh

# Cached-run speed, STS requests, memory and size against the peers (bench/bench.py);
# BASELINE=/path/to/aws-runas measures another build in the same run.
bench: venv build
	command -v hyperfine >/dev/null && test -x /usr/bin/time \
		|| { apt-get update -qq && apt-get install -y -qq hyperfine time; }
	BASELINE=$(BASELINE) $(VENV)/bin/python bench/bench.py

# What a user sees (-v lines, errors, exit codes, exports, cache files), this build against
# another one: make compare BASELINE=/path/to/aws-runas (bench/compare.py).
compare: venv build
	$(VENV)/bin/python bench/compare.py $(BASELINE)

# The fuzz targets (tests/fuzz, cargo-fuzz on the nightly toolchain), FUZZ_SECONDS each
# (default 60); not part of make test. A crash fails it and leaves its input in
# tests/fuzz/artifacts/.
FUZZ_SECONDS ?= 60
fuzz:
	command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	bash tests/fuzz/run.sh $(FUZZ_SECONDS)

# The man page and the completion script shipped in extras/, written from the binary's own --help-man.
extras: build
	target/release/aws-runas --help-man > extras/aws-runas.1
	target/release/aws-runas --completion-script-bash > extras/aws-runas.bash

clean:
	$(CARGO) clean
	rm -rf $(VENV)
