# aws-runas: build, test, demo, benchmarks. Everything the build and the tests need is installed
# from here (the Rust toolchain itself is the machine's).

CARGO  ?= cargo
PYTHON ?= python3
VENV   := .venv
HOST   := $(shell rustc -vV | sed -n 's/^host: //p')
STATIC := target/$(HOST)/release/aws-runas

PREFIX ?= /usr/local
DESTDIR ?=

# What a build says it is (aws-runas --version): the commit (with -dirty for changes not
# committed), and the time of that commit as SOURCE_DATE_EPOCH, which also dates every file of
# a release, so that two builds of one commit are the same bytes wherever and whenever made.
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
AWS_RUNAS_COMMIT ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
export AWS_RUNAS_COMMIT SOURCE_DATE_EPOCH

.PHONY: all build release static check test demo bench compare fuzz lint venv shells browser extras install install-files dist deb deb-package release-tools clean

# Whether make runs as root: only then does it install the distribution's packages (zsh, fish,
# Chromium), and only then do the root-only tests run (make test skips them otherwise).
AS_ROOT := $(shell test "$$(id -u)" = 0 && echo yes)

all: build

build release:
	$(CARGO) build --release

# A statically linked binary (static glibc), for containers and CI images. It carries no unwind
# tables: with panic = "abort" nothing unwinds, and the stripped binary has no symbols for a
# backtrace, so the tables (a tenth of the file, mostly static glibc's) were dead weight. The
# linker makes no header pointing at them (--no-eh-frame-hdr), then objcopy drops the section;
# an unwinder that looks finds nothing, and stops. .gcc_except_table goes with it: its language-
# specific data areas are reached only through .eh_frame's FDEs (no relocation or instruction
# points into it), and with .eh_frame gone no unwinder can ever reach one. Relative relocations
# are packed (DT_RELR, which static glibc applies since 2.36): 120 KB of .rela.dyn become 1.5 KB,
# and it stays a position-independent executable. Source paths are written relative (shorter, and the same
# wherever the tree is: a release is the same bytes from any checkout). The flags travel in
# CARGO_ENCODED_RUSTFLAGS (separated by 0x1f), so a checkout's path may hold spaces.
STATIC_RUSTFLAGS := -C target-feature=+crt-static -C link-arg=-Wl,--no-eh-frame-hdr \
	-C link-arg=-Wl,-z,pack-relative-relocs
static:
	CARGO_ENCODED_RUSTFLAGS="$$(printf '%s\037' $(STATIC_RUSTFLAGS) "--remap-path-prefix=$(CURDIR)=." \
		"--remap-path-prefix=$(or $(CARGO_HOME),$(HOME)/.cargo)=~/.cargo" | sed 's/\o037$$//')" \
		$(CARGO) build --release --target $(HOST)
	objcopy --remove-section=.eh_frame --remove-section=.gcc_except_table $(STATIC)
	@ldd $(STATIC) 2>&1 | grep -Eq 'statically linked|not a dynamic executable' \
		|| { echo "not statically linked: $(STATIC)"; ldd $(STATIC); exit 1; }
	@ls -l $(STATIC) | awk '{print "static binary: " $$NF " (" $$5 " bytes)"}'

# The release artifacts, in dist/ (see README, Install): the tarball of the static binary, the
# man page, the completions, the README, the license and the sample config; the Debian package
# of the same files in Debian's places; and their SHA256SUMS. Reproducible: sorted, owned by
# root, dated SOURCE_DATE_EPOCH, gzip without a name or time (tests/dist.rs builds twice).
ARCH    := $(firstword $(subst -, ,$(HOST)))
DEBARCH := $(if $(filter x86_64,$(ARCH)),amd64,$(if $(filter aarch64,$(ARCH)),arm64,$(ARCH)))
NAME    := aws-runas-$(VERSION)-$(ARCH)-linux
TARBALL := dist/$(NAME).tar.gz
DEB     := dist/aws-runas_$(VERSION)_$(DEBARCH).deb
STAGE   := dist/.stage
TAR     := tar --sort=name --owner=0 --group=0 --numeric-owner --format=gnu \
	--mtime=@$(SOURCE_DATE_EPOCH) --mode=u+rwX,go=rX

# The files shipped, each named once: its source, its mode, its place under PREFIX (make install;
# "-": not installed) and its place in the Debian package ("-": not packaged). The tarball holds
# every one, flat, by its own name. A place ending in .gz gets the file gzipped (the package's man
# page, as Debian wants); zsh completions go where each layout's zsh looks (site-functions for a
# local install, vendor-completions for a package). BINARY is the static build unless given (the
# tests install a debug build); the release artifacts are always of the static build.
BINARY ?= $(STATIC)
SHIPPED := binary man bash zsh fish readme license sample
shipped.binary  = $(BINARY)             755 bin/aws-runas                                  usr/bin/aws-runas
shipped.man     = extras/aws-runas.1    644 share/man/man1/aws-runas.1                     usr/share/man/man1/aws-runas.1.gz
shipped.bash    = extras/aws-runas.bash 644 share/bash-completion/completions/aws-runas    usr/share/bash-completion/completions/aws-runas
shipped.zsh     = extras/_aws-runas     644 share/zsh/site-functions/_aws-runas            usr/share/zsh/vendor-completions/_aws-runas
shipped.fish    = extras/aws-runas.fish 644 share/fish/vendor_completions.d/aws-runas.fish usr/share/fish/vendor_completions.d/aws-runas.fish
shipped.readme  = README.md             644 -                                              -
shipped.license = extras/LICENSE        644 -                                              usr/share/doc/aws-runas/copyright
shipped.sample  = extras/config.sample  644 -                                              usr/share/doc/aws-runas/examples/config.sample

# $(call ship,<layout>,<root>): a recipe line for each shipped file with a place in <layout>
# (install: the PREFIX column; deb: the package's; tar: flat, by its own name), under <root>.
ship = $(foreach f,$(SHIPPED),$(call ship_file,$(shipped.$(f)),$(call place,$(1),$(shipped.$(f))),$(2)))
# $(call place,<layout>,<row>): a file's place in a layout ("-": none).
place = $(if $(filter tar,$(1)),$(notdir $(word 1,$(2))),$(word $(if $(filter deb,$(1)),4,3),$(2)))
# $(call ship_file,<row>,<place>,<root>): the line putting the file there, with its mode.
ship_file = $(if $(filter-out -,$(2)),$(if $(filter %.gz,$(2)),$(call gzipped,$(1),$(3)/$(2)),\
	install -Dm$(word 2,$(1)) $(word 1,$(1)) $(3)/$(2))$(newline))
gzipped = install -d -m755 $(dir $(2)) && gzip -9n < $(word 1,$(1)) > $(2) && chmod $(word 2,$(1)) $(2)
define newline


endef

dist: static
	@test -n "$(SOURCE_DATE_EPOCH)" || { echo "make dist: no SOURCE_DATE_EPOCH (not a git checkout?)"; exit 1; }
	rm -rf $(STAGE) && mkdir -p $(STAGE)/$(NAME)
	$(call ship,tar,$(STAGE)/$(NAME))
	$(TAR) -C $(STAGE) -cf - $(NAME) | gzip -9n > $(TARBALL)
	$(MAKE) --no-print-directory deb-package
	rm -rf $(STAGE)
	cd dist && sha256sum $(notdir $(TARBALL)) $(notdir $(DEB)) > SHA256SUMS
	@cat dist/SHA256SUMS; ls -l $(TARBALL) $(DEB) | awk '{print $$NF ": " $$5 " bytes"}'

deb: dist

dist deb-package: override BINARY := $(STATIC)

# The package's tree, from the static binary: Debian's places, its control data (no
# dependencies: the binary is static), dated SOURCE_DATE_EPOCH.
deb-package:
	rm -rf $(STAGE)/deb && mkdir -p $(STAGE)/deb/DEBIAN
	$(call ship,deb,$(STAGE)/deb)
	{ echo "Package: aws-runas"; echo "Version: $(VERSION)"; echo "Architecture: $(DEBARCH)"; \
	  echo "Maintainer: aws-runas developers <aws-runas@users.noreply.github.com>"; \
	  echo "Installed-Size: $$(du -s --apparent-size --block-size=1024 $(STAGE)/deb/usr | cut -f1)"; \
	  echo "Section: utils"; echo "Priority: optional"; \
	  echo "Description: run a command under an assumed AWS IAM role, with MFA and cached credentials"; \
	  echo " aws-runas assumes an IAM role (or an IAM Identity Center role) with the AWS CLI's"; \
	  echo " configuration, asks for the MFA code as rarely as possible, caches the temporary"; \
	  echo " credentials on disk, and runs a command with them or prints them for a shell."; \
	} > $(STAGE)/deb/DEBIAN/control
	cd $(STAGE)/deb && find usr -type f | LC_ALL=C sort | xargs md5sum > DEBIAN/md5sums
	chmod 644 $(STAGE)/deb/DEBIAN/control $(STAGE)/deb/DEBIAN/md5sums
	find $(STAGE)/deb -type d -exec chmod 755 {} +
	find $(STAGE)/deb -exec touch -h -d @$(SOURCE_DATE_EPOCH) {} +
	dpkg-deb --root-owner-group -Zgzip -z9 --build $(STAGE)/deb $(DEB) >/dev/null

# The test dependencies (moto's server, boto3, the aws CLI), pinned, in a local virtualenv.
venv: $(VENV)/.installed

$(VENV)/.installed: tests/emulator/requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/emulator/requirements.txt
	touch $@

# The shells the completion tests run (bash is always there): installed as root; otherwise the
# tests that need a missing one are skipped by make test, by name.
shells:
	@command -v zsh >/dev/null && command -v fish >/dev/null && exit 0; \
	if [ "$(AS_ROOT)" = yes ]; then apt-get update -qq && apt-get install -y -qq zsh fish; \
	else echo "make: zsh or fish is missing and only root installs them: their tests will be skipped"; fi

# The package test's tool (it runs as root only): man, to render the installed man page.
release-tools:
	@command -v man >/dev/null || [ "$(AS_ROOT)" != yes ] \
		|| { apt-get update -qq && apt-get install -y -qq man-db; }

# The browser tests' tools: the distribution's Chromium, and playwright-core and the JS SDK's login
# provider (pinned in tests/browser/package-lock.json) from the npm registry. Chromium is installed
# as root; without it (or npm), the browser tests and the JS SDK's test are skipped by make test.
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$(AS_ROOT)" = yes ]; then \
		apt-get update -qq && apt-get install -y -qq chromium; fi
	@if [ -x /usr/bin/chromium ] && command -v npm >/dev/null; then \
		$(MAKE) --no-print-directory tests/browser/node_modules/.installed; \
	else echo "make: Chromium or npm is missing: the browser test will be skipped"; fi

tests/browser/node_modules/.installed: tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The tests a missing tool would fail, named for cargo test's --skip.
SKIPPED = $(if $(shell command -v zsh),,zsh_completion) \
	$(if $(shell command -v fish),,fish_completion shells::) \
	$(if $(shell test -e tests/browser/node_modules/.installed && echo yes),,serve::console::the_console_switches_to_an_mfa_role_in_a_browser \
		sso::login::a_run_on_a_terminal_logs_in_through_the_browser \
		login_standin::the_js_sdk_refreshes_through_the_standin_and_botocore_uses_what_it_wrote \
		login_flow::same_device::a_login_in_chromium_on_a_terminal)

# fmt, clippy and the unit tests: no emulator, under a minute. CI runs it first.
check:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) test --lib

# The tests plain cargo test leaves out are #[ignore]d with a reason that says which kind they
# are (tests/ignored.rs holds every one to it): "slow: <why>" (over a few seconds each: builds,
# renewals waited for, Chromium), which make test always runs, and "needs root, <why>", which it
# runs as root only. The root-only tests' names are read from the sources, for --skip.
ROOT_ONLY = $(shell find tests -name '*.rs' -not -path '*/node_modules/*' -not -path '*/target/*' \
	| LC_ALL=C sort | xargs awk '/^.\[ignore = "needs root/ { root = 1 } root && /^fn / { print; root = 0 }' \
	| sed 's/^fn \([a-z0-9_]*\).*/\1/')

# Every test (the emulator's, with the real aws CLI, boto3 and shells), the slow ones too; as
# root the root-only ones as well. What is not run (for a missing tool, or not being root) is
# named, not passed silently.
test: venv shells browser release-tools
	@$(if $(strip $(SKIPPED)),echo "make test: skipped for missing tools: $(strip $(SKIPPED))")
	@$(if $(AS_ROOT),,echo "make test: skipped, as they need root: $(strip $(ROOT_ONLY))")
	$(CARGO) test -- --include-ignored $(foreach t,$(SKIPPED) $(if $(AS_ROOT),,$(ROOT_ONLY)),--skip $(t))

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

# Builds, starts the local STS/IAM emulator, assumes a role through it and runs the aws CLI.
demo: venv build
	bash extras/demo.sh

# The commit make bench compares this tree with, built side by side (bench/instructions.py).
# Moved forward only on purpose, in a commit of its own that gives the figures of both: a slower
# cached run is then a decision, not an accident.
BENCH_BASELINE := 69e16fce0c6b

# Cached-run speed, STS requests, memory and size against the peers (bench/bench.py), the
# credential endpoints under load (bench/endpoints.py, wrk), the cold path over TLS
# (bench/cold.py), an Identity Center cached run (bench/sso.py); the cached role run's
# instructions (callgrind), dynamic and static, this tree against BENCH_BASELINE (built once in
# a worktree under target/bench), with a line that says when this tree is slower; last, a
# cached role run on an aws login profile (bench/login.py), the one report that fails (above
# +5% instructions of the IAM-user run, or a request): last, so that every other report is out.
# BASELINE=/path/to/aws-runas measures another build in the same run.
bench: venv build static
	command -v hyperfine >/dev/null && command -v wrk >/dev/null && test -x /usr/bin/time \
		&& command -v valgrind >/dev/null \
		|| { apt-get update -qq && apt-get install -y -qq hyperfine time wrk valgrind; }
	BASELINE=$(BASELINE) $(VENV)/bin/python bench/bench.py
	$(VENV)/bin/python bench/endpoints.py
	$(VENV)/bin/python bench/cold.py
	$(VENV)/bin/python bench/sso.py
	BASELINE=$(BASELINE) $(VENV)/bin/python bench/instructions.py $(BENCH_BASELINE)
	$(VENV)/bin/python bench/login.py

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

# The binary (the static build, as the releases ship it), the man page and the completions under
# $(DESTDIR)$(PREFIX): make install PREFIX=$$HOME/.local (no root needed), or PREFIX=/usr/local
# as root.
install: static
	$(MAKE) --no-print-directory install-files

# The installing alone, of BINARY (see SHIPPED; the tests install a debug build this way).
install-files:
	$(call ship,install,$(DESTDIR)$(PREFIX))

clean:
	$(CARGO) clean
	rm -rf dist
	rm -rf $(VENV)
