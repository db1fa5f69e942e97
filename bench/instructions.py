#!/usr/bin/env python3
"""make bench, last: the cached role run's instructions, this tree against a pinned commit.

A cached run should cost about a millisecond, and a change that makes it slower is easy to miss:
one made a fifth of the run's instructions decode characters, and was found two issues later.
So make bench builds a baseline commit of this repository (the Makefile's BENCH_BASELINE,
moved forward only on purpose) side by side with this tree and counts, with callgrind (the
same count whatever else the machine does), the instructions of a cached role run of each:
`aws-runas mfa-admin` (the MFA-gated role of bench.py's world, its credentials already cached
by one cold run with the device's code; the exports printed, as a command would exec), for the
dynamic build (`make build`) and the static one (`make static`), in two configs: bench.py's
(three profiles) and the same with 100 more role profiles (what a per-byte or per-profile cost
does to a config of a real organisation). Each row gives the change against the baseline; a
last line says whether this tree is slower than the baseline in any row (more than +0.1%:
paths, ports and times move a count by a few dozen instructions).

The baseline is built by its own Makefile (`make build static`, with this machine's toolchain),
in a git worktree at target/bench/baseline-<commit> (detached, never committed to), once: its
binaries are kept and reused while the commit stays the same (`cargo clean` removes them; the
next run builds again, a few minutes). It needs the commit in this checkout's history: in a
shallow clone the baseline is missing, and the report says so (`git fetch --unshallow` brings
it). No network beyond the crate registry, for the baseline's dependencies.

Run alone (after `make build static`): .venv/bin/python bench/instructions.py <commit>.
With BASELINE=<another aws-runas binary>, that build is counted too, against this tree's
dynamic build. A benchmark, not a test: it reports, it does not fail on a slow result.
"""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import HOST, OURS, ROOT, STATIC, Emulator, environment, instructions, make_home, run_once, totp  # noqa: E402

PROFILE = "mfa-admin"
MORE_PROFILES = 100
# Above this, a row is slower: a count moves by a few dozen instructions with paths, ports, times.
TOLERANCE = 0.001
# What the baseline's build must not inherit from make bench's own environment: this tree's
# version stamp (which would also rebuild it each time the commit changes) and build flags.
INHERITED = ("AWS_RUNAS_COMMIT", "SOURCE_DATE_EPOCH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
             "RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR")


def log(message):
    print(message, file=sys.stderr, flush=True)


def git(*args, cwd=ROOT):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


def this_tree():
    """This tree's commit, with -dirty for changes not committed."""
    head = git("rev-parse", "--short=12", "HEAD").stdout.strip()
    if not head:
        return "not a git checkout"
    return head + ("" if git("diff", "--quiet", "HEAD").returncode == 0 else "-dirty")


def resolve(commit):
    """The full hash of `commit`, or (None, why not)."""
    found = git("rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
    if found.returncode == 0:
        return found.stdout.strip(), None
    if git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        return None, (f"the baseline commit {commit} is not in this checkout, a shallow clone: "
                      "`git fetch --unshallow` brings the history")
    if git("rev-parse", "--git-dir").returncode != 0:
        return None, f"this tree is not a git checkout: no baseline commit {commit} to build"
    return None, f"the baseline commit {commit} is not in this repository's history"


def build_baseline(full):
    """The baseline's dynamic and static binaries, built once in their own worktree."""
    short = full[:12]
    base = os.path.join(ROOT, "target", "bench")
    tree = os.path.join(base, f"baseline-{short}")
    built = os.path.join(base, f"baseline-{short}.built")
    binaries = (os.path.join(tree, "target", "release", "aws-runas"),
                os.path.join(tree, "target", HOST, "release", "aws-runas"))
    if os.path.exists(built) and all(map(os.path.exists, binaries)):
        return binaries
    os.makedirs(base, exist_ok=True)
    if not os.path.exists(os.path.join(tree, ".git")):
        # -f: a worktree that `cargo clean` removed is still registered; add it again.
        added = git("worktree", "add", "-f", "--detach", tree, full)
        if added.returncode != 0:
            raise SystemExit(f"bench: cannot make the baseline's worktree {tree}:\n{added.stderr}")
    if git("rev-parse", "HEAD", cwd=tree).stdout.strip() != full:
        raise SystemExit(f"bench: {tree} is not at {full}: remove it (git worktree remove --force {tree})")
    log_path = os.path.join(base, f"baseline-{short}.log")
    log(f"bench: building the baseline {short} (make build static in {tree}; once, a few minutes; log in {log_path})")
    env = {k: v for k, v in os.environ.items() if k not in INHERITED}
    with open(log_path, "w") as out:
        done = subprocess.run(["make", "build", "static"], cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0 or not all(map(os.path.exists, binaries)):
        with open(log_path) as f:
            tail = "".join(f.readlines()[-20:])
        raise SystemExit(f"bench: the baseline {short} did not build (log: {log_path}):\n{tail}")
    open(built, "w").close()
    return binaries


def more_profiles(home, emulator, count):
    """`count` more role profiles in the config, each as a real one is written."""
    serial = emulator.alice["mfa_serial"]
    with open(os.path.join(home, ".aws", "config"), "a") as f:
        for n in range(count):
            f.write(f"\n[profile team{n:03}-admin]\nrole_arn = arn:aws:iam::{100000000000 + n}:role/admin\n"
                    f"source_profile = mfauser\nmfa_serial = {serial}\nregion = eu-west-1\n")


def count(binary, root, index, extra, emulator):
    """Instructions of a cached role run of `binary`, in a HOME of its own (`extra` more
    profiles), its cache primed by one cold MFA run."""
    home = make_home(root, f"home{index:02}", emulator)
    more_profiles(home, emulator, extra)
    env = environment(home, emulator)
    run_once([binary, "-o", totp(emulator.alice["mfa_seed"]), PROFILE, "true"], env)
    # Without a wrapped command: an exec would end valgrind's count unreported.
    found = instructions([binary, PROFILE], env)
    if found is None:
        raise SystemExit(f"bench: callgrind counted nothing for {binary}")
    return found


def report(rows, base_name, slower):
    print()
    print(f"Cached role run (`aws-runas {PROFILE}`, its credentials cached): instructions (callgrind)")
    print(f"this tree ({this_tree()}) against the pinned baseline {base_name} (BENCH_BASELINE), built side by side")
    print()
    print(f"{'':40} {base_name:>14} {'this tree':>14} {'change':>9}")
    for label, base, ours in rows:
        change = (ours - base) / base
        mark = "  SLOWER" if change > TOLERANCE else ""
        print(f"{label:40} {base:>14,} {ours:>14,} {change * 100:+8.2f}%{mark}")
    print()
    if slower:
        worst = ", ".join(f"{label} {(o - b) / b * 100:+.2f}% ({o - b:+,})" for label, b, o in slower)
        print(f"instructions: THIS TREE IS SLOWER than the baseline {base_name}: {worst}")
    else:
        print(f"instructions: this tree is not slower than the baseline {base_name} in any row (at most {TOLERANCE * 100:+.1f}%)")


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: bench/instructions.py <baseline commit> (make bench passes BENCH_BASELINE)")
    if shutil.which("valgrind") is None:
        raise SystemExit("bench: valgrind is missing (make bench installs it)")
    for path in (OURS, STATIC):
        if not os.path.exists(path):
            raise SystemExit(f"bench: {path} is missing: make build static first")
    full, missing = resolve(sys.argv[1])
    baseline = build_baseline(full) if full else None
    other = os.environ.get("BASELINE")
    configs = [("bench config (3 profiles)", 0), (f"{MORE_PROFILES} more profiles", MORE_PROFILES)]
    root = tempfile.mkdtemp(prefix="aws-runas-bench-instructions-")
    emulator = Emulator()
    counted = {}
    try:
        for c, (_, extra) in enumerate(configs):
            builds = {"dynamic": (OURS, baseline and baseline[0]), "static": (STATIC, baseline and baseline[1])}
            for b, (name, (ours, base)) in enumerate(builds.items()):
                index = 10 * c + 2 * b
                counted[name, extra] = (count(base, root, index, extra, emulator) if base else None,
                                        count(ours, root, index + 1, extra, emulator))
            if other:
                counted["BASELINE", extra] = (count(other, root, 10 * c + 9, extra, emulator), counted["dynamic", extra][1])
    finally:
        emulator.stop()
        shutil.rmtree(root, ignore_errors=True)
    rows = [(f"{name}, {label}", *counted[name, extra])
            for label, extra in configs for name in ("dynamic", "static")]
    if full:
        report(rows, full[:12], [r for r in rows if (r[2] - r[1]) / r[1] > TOLERANCE])
    else:
        print()
        print(f"Cached role run (`aws-runas {PROFILE}`, its credentials cached): instructions (callgrind), this tree ({this_tree()})")
        for label, _, ours in rows:
            print(f"{label:40} {ours:>14,}")
        print(f"instructions: NO BASELINE: {missing}")
    if other:
        print()
        for label, extra in configs:
            theirs, ours = counted["BASELINE", extra]
            print(f"BASELINE={other}, {label}: {theirs:,}; this tree's dynamic build {ours:,} ({(ours - theirs) / theirs * 100:+.2f}%)")


if __name__ == "__main__":
    main()
