# aws-runas: build, test, demo, benchmarks. Everything the build and the tests need is installed
# from here (the Rust toolchain itself is the machine's).

CARGO  ?= cargo
PYTHON ?= python3
VENV   := .venv
HOST   := $(shell rustc -vV | sed -n 's/^host: //p')
STATIC := target/$(HOST)/release/aws-runas

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all build release static test demo bench compare fuzz lint venv shells browser extras install install-files clean

all: build

build release:
	$(CARGO) build --release

# A statically linked binary (static glibc), for containers and CI images. It carries no unwind
# tables: with panic = "abort" nothing unwinds, and the stripped binary has no symbols for a
# backtrace, so the tables (a tenth of the file, mostly static glibc's) were dead weight. The
# linker makes no header pointing at them (--no-eh-frame-hdr), then objcopy drops the section;
# an unwinder that looks finds nothing, and stops. Source paths are written relative (shorter,
# and the same wherever the tree is).
STATIC_RUSTFLAGS := -C target-feature=+crt-static -C link-arg=-Wl,--no-eh-frame-hdr \
	--remap-path-prefix=$(CURDIR)=. --remap-path-prefix=$(or $(CARGO_HOME),$(HOME)/.cargo)=~/.cargo
static:
	RUSTFLAGS="$(STATIC_RUSTFLAGS)" $(CARGO) build --release --target $(HOST)
	objcopy --remove-section=.eh_frame $(STATIC)
	@ldd $(STATIC) 2>&1 | grep -Eq 'statically linked|not a dynamic executable' \
		|| { echo "not statically linked: $(STATIC)"; ldd $(STATIC); exit 1; }
	@ls -l $(STATIC) | awk '{print "static binary: " $$NF " (" $$5 " bytes)"}'

# The test dependencies (moto's server, boto3, the aws CLI), pinned, in a local virtualenv.
venv: $(VENV)/.installed

$(VENV)/.installed: tests/emulator/requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/emulator/requirements.txt
	touch $@

# The shells the completion tests run (bash is always there).
shells:
	command -v zsh >/dev/null && command -v fish >/dev/null \
		|| { apt-get update -qq && apt-get install -y -qq zsh fish; }

# The browser tests' tools: the distribution's Chromium, and playwright-core (pinned in
# tests/browser/package-lock.json) from the npm registry.
browser: tests/browser/node_modules/.installed

tests/browser/node_modules/.installed: tests/browser/package-lock.json
	test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium; }
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: venv shells browser
	$(CARGO) test

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

# Builds, starts the local STS/IAM emulator, assumes a role through it and runs the aws CLI.
demo: venv build
	bash extras/demo.sh

# Cached-run speed, STS requests, memory and size against the peers (bench/bench.py), then
# the credential endpoints under load (bench/endpoints.py, wrk);
# BASELINE=/path/to/aws-runas measures another build in the same run.
bench: venv build static
	command -v hyperfine >/dev/null && command -v wrk >/dev/null && test -x /usr/bin/time \
		|| { apt-get update -qq && apt-get install -y -qq hyperfine time wrk; }
	BASELINE=$(BASELINE) $(VENV)/bin/python bench/bench.py
	$(VENV)/bin/python bench/endpoints.py
	$(VENV)/bin/python bench/cold.py

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

# The man page and the completion scripts shipped in extras/, written by the binary itself.
extras: build
	target/release/aws-runas --help-man > extras/aws-runas.1
	target/release/aws-runas --completion-script-bash > extras/aws-runas.bash
	target/release/aws-runas --completion-script-zsh > extras/_aws-runas
	target/release/aws-runas --completion-script-fish > extras/aws-runas.fish

# The binary, the man page and the completions under $(DESTDIR)$(PREFIX):
# make install PREFIX=$$HOME/.local (no root needed), or PREFIX=/usr/local as root.
install: build
	$(MAKE) --no-print-directory install-files

# The installing alone, of BINARY (the tests install a debug build this way).
BINARY ?= target/release/aws-runas
install-files:
	install -Dm755 $(BINARY) $(DESTDIR)$(PREFIX)/bin/aws-runas
	install -Dm644 extras/aws-runas.1 $(DESTDIR)$(PREFIX)/share/man/man1/aws-runas.1
	install -Dm644 extras/aws-runas.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/aws-runas
	install -Dm644 extras/_aws-runas $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_aws-runas
	install -Dm644 extras/aws-runas.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/aws-runas.fish

clean:
	$(CARGO) clean
	rm -rf $(VENV)
