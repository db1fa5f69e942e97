#!/usr/bin/env python3
"""make bench, part 3: the cold path over TLS.

A role assumed from nothing cached, through a local TLS-terminating proxy in front of the
emulator (tests/util/tls_proxy.py: a private CA, given to every tool as AWS_CA_BUNDLE), so each
tool pays what it pays against AWS: TLS handshakes, requests, connections, its own start-up.
Measured for aws-runas (a cold MFA run; and a role refresh, the session token cached), the aws
CLI's own `aws sts assume-role` with the MFA fields, and the peers' cold MFA runs: the median
wall time of RUNS runs, each with a fresh HOME and the device's current code, with the STS
requests (the emulator's count), TCP connections and TLS handshakes (the proxy's count) of one.
The emulator's own time answering (moto is slow: tens of ms a request) is measured too, and
subtracted: what is left is the tool's own cost (start-up, TLS, signing, the proxy's relay).

Goal (reported, not enforced): aws-runas makes one TLS handshake and the fewest requests the
plan allows (two for a cold MFA run: GetSessionToken and AssumeRole, plus the one
GetCallerIdentity that the default role session name, the IAM user's name, needs once per
session token; one for a role refresh), and its own cost is at least 10x below the fastest
other tool's.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ACCOUNT, OURS, ROOT, VENVS, Emulator, environment, install_peers, make_home, totp  # noqa: E402

RUNS = int(os.environ.get("BENCH_COLD_RUNS", "5"))
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")


class TlsProxy:
    def __init__(self, target, directory):
        self.proc = subprocess.Popen(
            [PYTHON, os.path.join(ROOT, "tests", "util", "tls_proxy.py"), directory, target],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        ready = json.loads(self.proc.stdout.readline())
        self.url, self.ca = ready["url"], ready["ca"]

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def handshakes(self):
        self.command("stats")
        return json.loads(self.proc.stdout.readline())["handshakes"]

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def tools(emulator):
    """name -> a function (home, code) -> (argv, stdin) for one cold MFA run."""
    venv = lambda name, exe: os.path.join(VENVS, name, "bin", exe)  # noqa: E731
    role = f"arn:aws:iam::{ACCOUNT}:role/mfa-admin"
    serial = emulator.alice["mfa_serial"]
    aec = venv("aws-export-credentials-0.18.0", "aws-export-credentials")
    return {
        "aws-runas (this)": lambda home, code: ([OURS, "-o", code, "mfa-admin", "true"], None),
        "aws sts assume-role (aws CLI)": lambda home, code: (
            [os.path.join(ROOT, ".venv", "bin", "aws"), "sts", "assume-role", "--profile", "mfauser",
             "--role-arn", role, "--role-session-name", "bench", "--serial-number", serial,
             "--token-code", code, "--output", "json"], None),
        "aws-runas 0.2.0": lambda home, code: ([venv("aws-runas-0.2.0", "aws-runas"), "mfa-admin", "true"], code + "\n"),
        "awsume 4.5.4": lambda home, code: ([venv("awsume-4.5.4", "awsumepy"), "mfa-admin", "--mfa-token", code], None),
        "aws-export-credentials 0.18.0": lambda home, code: (
            ["sh", "-c", f'eval "$({aec} --profile mfa-admin --cache-file {home}/aec.json --env-export)" && true'],
            code + "\n"),
    }


def once(emulator, proxy, root, name, make_argv, warm=False, index=0, extra=None):
    """One run in a fresh HOME (or, warm, one whose session token is cached); returns
    (seconds, server seconds, requests, connections, handshakes)."""
    slug = "".join(c if c.isalnum() else "-" for c in name)
    home = make_home(root, f"{slug}-{index}", emulator)
    env = dict(environment(home, emulator), AWS_ENDPOINT_URL=proxy.url, AWS_CA_BUNDLE=proxy.ca, **(extra or {}))
    if warm:
        # The session token cached (with its caller), the role's credentials not: a refresh.
        subprocess.run([OURS, "-o", totp(emulator.alice["mfa_seed"]), "mfa-admin", "true"], env=env, check=True)
        os.remove(os.path.join(home, ".aws", ".aws_assume_role_mfa-admin"))
    argv, stdin = make_argv(home, totp(emulator.alice["mfa_seed"]))
    emulator.reset()
    proxy.command("reset")
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, input=stdin, text=True, capture_output=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench: {name} failed: {done.stderr.strip()[-400:]}")
    stats = emulator.stats()
    requests = sum(stats["requests"].values())
    return seconds, stats["server_seconds"], requests, stats["connections"], proxy.handshakes()


def main():
    install_peers()
    root = tempfile.mkdtemp(prefix="aws-runas-bench-cold-")
    emulator = Emulator()
    os.makedirs(os.path.join(root, "tls"))
    proxy = TlsProxy(emulator.endpoint.removeprefix("http://"), os.path.join(root, "tls"))
    rows = {}
    try:
        ours = tools(emulator)["aws-runas (this)"]
        cases = [(name, make_argv, {}) for name, make_argv in tools(emulator).items()]
        cases.insert(1, ("aws-runas (this), role refresh", ours, {}))
        cases.insert(2, ("aws-runas (this), session name set", ours, {"AWS_ROLE_SESSION_NAME": "bench"}))
        for name, make_argv, extra in cases:
            warm = name.endswith("role refresh")
            runs = [once(emulator, proxy, root, name, make_argv, warm, i, extra) for i in range(RUNS)]
            rows[name] = (
                statistics.median(r[0] for r in runs),
                statistics.median(r[0] - r[1] for r in runs),
                *runs[-1][2:],
            )
    finally:
        proxy.stop()
        emulator.stop()
        shutil.rmtree(root, ignore_errors=True)
    ours = rows["aws-runas (this)"][1]
    print()
    print(f"Cold run over TLS (a private CA via AWS_CA_BUNDLE), medians of {RUNS}; requests, connections and handshakes of one run")
    print(f"{'tool':36} {'wall':>9} {'own cost':>9} {'× ours':>7} {'STS req':>8} {'conn':>5} {'TLS':>4}")
    for name, (wall, own, requests, connections, handshakes) in sorted(rows.items(), key=lambda kv: kv[1][1]):
        print(f"{name:36} {wall * 1000:7.1f}ms {own * 1000:7.1f}ms {own / ours:7.1f} {requests:8} {connections:5} {handshakes:4}")
    peers = {n: r for n, r in rows.items() if not n.startswith("aws-runas (this)")}
    fastest = min(peers, key=lambda n: peers[n][1])
    cold, named, refresh = (rows[f"aws-runas (this){s}"] for s in ("", ", session name set", ", role refresh"))
    print()
    print("own cost: the wall time less the emulator's time answering (moto's, not the tool's)")
    print(f"fastest other: {fastest}, own cost {peers[fastest][1] / ours:.1f}× aws-runas's cold run's")
    goals = [
        ("one TLS handshake for a cold MFA run", cold[4] == 1 and named[4] == 1),
        ("two STS requests for a cold MFA run (+1 GetCallerIdentity for the default session name)", named[2] == 2 and cold[2] == 3),
        ("one STS request, one handshake, for a role refresh", refresh[2] == 1 and refresh[4] == 1),
        ("own cost at least 10× below the fastest other tool's", peers[fastest][1] / ours >= 10),
    ]
    for goal, met in goals:
        print(f"goal: {goal}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
