#!/usr/bin/env python3
"""make bench: aws-runas against the tools people use today, in one run, on one emulator.

For each tool: its own HOME (their caches have clashing names), the same account, the same
MFA-gated role (mfa-admin, whose trust requires MFA), the cache primed by one cold run with the
device's current TOTP code. Then:

- hyperfine times the cached run of each, and /bin/true as the floor;
- the emulator counts the STS requests of one cached run of each tool;
- the requests and TCP connections of one cold MFA run of aws-runas;
- the peak RSS of a cached run of each (GNU time; the median of 9 runs);
- the size of the binary, and of the static one (`make static`, goal: at most 3.0 MB).

Peers (each in its own virtualenv under bench/.venvs, installed on first use):
aws-runas 0.2.0 (the Python original), awsume 4.5.4, aws-export-credentials 0.18.0.
With BASELINE=<another aws-runas binary> (make bench BASELINE=...), that build is measured too,
in the same run, as "aws-runas (baseline)": before and after a change, on one machine at once.
The cached run's instructions (callgrind), this tree's against a pinned baseline commit's and
BASELINE's, are bench/instructions.py's report, make bench's last.
A benchmark, not a test: it reports, it does not fail on a slow result.
"""

import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))
from patches import totp  # noqa: E402

VENVS = os.path.join(ROOT, "bench", ".venvs")
OURS = os.path.join(ROOT, "target", "release", "aws-runas")
HOST = next(line.split(": ")[1] for line in subprocess.run(["rustc", "-vV"], capture_output=True, text=True,
                                                           check=True).stdout.splitlines() if line.startswith("host: "))
# make static's binary.
STATIC = os.path.join(ROOT, "target", HOST, "release", "aws-runas")
ACCOUNT = "123456789012"
PEERS = {
    "aws-runas-0.2.0": ["aws-runas==0.2.0"],
    "awsume-4.5.4": ["awsume==4.5.4"],
    "aws-export-credentials-0.18.0": ["aws-export-credentials==0.18.0", "boto3<1.35"],
}


def log(message):
    print(message, file=sys.stderr, flush=True)


def install_peers():
    for name, packages in PEERS.items():
        venv = os.path.join(VENVS, name)
        marker = os.path.join(venv, ".installed")
        if os.path.exists(marker):
            continue
        log(f"bench: installing {' '.join(packages)} into {venv}")
        subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--quiet", "--disable-pip-version-check", *packages], check=True)
        open(marker, "w").close()


class Emulator:
    def __init__(self):
        self.proc = subprocess.Popen(
            [os.path.join(ROOT, ".venv", "bin", "python"), os.path.join(ROOT, "tests", "emulator", "emulator.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        ready = json.loads(self.proc.stdout.readline())
        self.endpoint = ready["endpoint"]
        self.alice = ready["users"]["alice"]
        self.external_id = ready["external_id"]

    def stats(self):
        with urllib.request.urlopen(self.endpoint + "/_emulator/stats") as r:
            return json.load(r)

    def reset(self):
        urllib.request.urlopen(urllib.request.Request(self.endpoint + "/_emulator/stats", data=b"", method="POST")).read()

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def make_home(root, name, emulator):
    home = os.path.join(root, name)
    os.makedirs(os.path.join(home, ".aws"))
    serial = emulator.alice["mfa_serial"]
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        f.write(
            f"[default]\nregion = us-east-1\n\n[profile mfauser]\nregion = us-east-1\nmfa_serial = {serial}\n\n"
            f"[profile mfa-admin]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/mfa-admin\nsource_profile = mfauser\n"
            f"mfa_serial = {serial}\nregion = us-east-1\n"
        )
    with open(os.path.join(home, ".aws", "credentials"), "w") as f:
        f.write(
            f"[mfauser]\naws_access_key_id = {emulator.alice['access_key_id']}\n"
            f"aws_secret_access_key = {emulator.alice['secret_access_key']}\n"
        )
    return home


def environment(home, emulator):
    return {
        "HOME": home,
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "USER": "bench",
        "AWS_ENDPOINT_URL": emulator.endpoint,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def tools(root, emulator):
    """name -> (home, cached command, priming command, priming stdin)."""
    venv = lambda name, exe: os.path.join(VENVS, name, "bin", exe)  # noqa: E731
    out = {}
    home = make_home(root, "ours", emulator)
    out["aws-runas (this)"] = (home, [OURS, "mfa-admin", "true"], lambda code: ([OURS, "-o", code, "mfa-admin", "true"], None))
    base = os.environ.get("BASELINE")
    if base:
        home = make_home(root, "baseline", emulator)
        out["aws-runas (baseline)"] = (home, [base, "mfa-admin", "true"], lambda code, b=base: ([b, "-o", code, "mfa-admin", "true"], None))
    home = make_home(root, "py-runas", emulator)
    exe = venv("aws-runas-0.2.0", "aws-runas")
    out["aws-runas 0.2.0"] = (home, [exe, "mfa-admin", "true"], lambda code, exe=exe: ([exe, "mfa-admin", "true"], code + "\n"))
    home = make_home(root, "awsume", emulator)
    exe = venv("awsume-4.5.4", "awsumepy")
    out["awsume 4.5.4"] = (home, [exe, "mfa-admin"], lambda code, exe=exe: ([exe, "mfa-admin", "--mfa-token", code], None))
    home = make_home(root, "aec", emulator)
    exe = venv("aws-export-credentials-0.18.0", "aws-export-credentials")
    cache = os.path.join(home, "aec-cache.json")
    script = f'eval "$({exe} --profile mfa-admin --cache-file {cache} --env-export)" && true'
    out["aws-export-credentials 0.18.0"] = (home, ["sh", "-c", script], lambda code, s=script: (["sh", "-c", s], code + "\n"))
    return out


def run_once(argv, env, stdin=None):
    # setsid: no controlling terminal, so peers that would prompt on /dev/tty read stdin instead.
    result = subprocess.run(["setsid", "--wait", *argv], env=env, input=stdin, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed ({result.returncode}):\n{result.stderr}{result.stdout}")
    return result


def peak_rss_kib(argv, env, runs=9):
    """Peak RSS of a run of argv, in KiB, by GNU time: the median of `runs` runs (one run's
    figure moves by a page or two). (A child forked from Python would report Python's own
    resident pages: the kernel keeps the high-water mark across exec.)"""
    peaks = []
    for _ in range(runs):
        result = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], env=env, capture_output=True, text=True, check=True)
        peaks.append(int(result.stderr.strip().splitlines()[-1]))
    return sorted(peaks)[len(peaks) // 2]


def instructions(argv, env):
    """Instructions of one run of argv, counted by callgrind (repeatable, whatever else the
    machine does). None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
                            env=env, capture_output=True, text=True, timeout=120)
    found = re.search(r"Collected : (\d+)", result.stderr)
    return int(found.group(1)) if found else None


def hyperfine(commands, root):
    """commands: name -> (argv, env), each timed by hyperfine in its own environment, one after
    the other in this run. Returns name -> (mean s, stddev s, runs)."""
    times = {}
    for i, (name, (argv, env)) in enumerate(commands.items()):
        out_json = os.path.join(root, f"hyperfine-{i}.json")
        command = " ".join(shell_quote(a) for a in argv)
        args = ["hyperfine", "--shell=none", "--warmup", "5", "--min-runs", "30", "--export-json", out_json,
                "--style", "basic", "--command-name", name, command]
        subprocess.run(args, check=True, env={**env, "PATH": os.environ["PATH"]}, stdout=sys.stderr)
        with open(out_json) as f:
            r = json.load(f)["results"][0]
        times[name] = (r["mean"], r["stddev"], len(r["times"]))
    return times


def shell_quote(s):
    if s and all(c.isalnum() or c in "@%_-+=:,./" for c in s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


def main():
    if not os.path.exists(OURS):
        raise SystemExit("bench: build first (make build)")
    for tool in ("hyperfine", "/usr/bin/time"):
        if shutil.which(tool) is None:
            raise SystemExit(f"bench: {tool} is missing (make bench installs it)")
    install_peers()
    root = tempfile.mkdtemp(prefix="aws-runas-bench-")
    emulator = Emulator()
    try:
        all_tools = tools(root, emulator)
        # Prime every cache with one cold MFA run; count ours.
        cold = {}
        for name, (home, _, prime) in all_tools.items():
            code = totp(emulator.alice["mfa_seed"])
            argv, stdin = prime(code)
            emulator.reset()
            run_once(argv, environment(home, emulator), stdin)
            cold[name] = emulator.stats()
        # STS requests of one cached run of each.
        per_run = {}
        for name, (home, cached, _) in all_tools.items():
            emulator.reset()
            run_once(cached, environment(home, emulator))
            per_run[name] = sum(emulator.stats()["requests"].values())
        rss = {name: peak_rss_kib(cached, environment(home, emulator)) for name, (home, cached, _) in all_tools.items()}
        rss["/bin/true (floor)"] = peak_rss_kib(["/bin/true"], environment(root, emulator))
        commands = {name: (cached, environment(home, emulator)) for name, (home, cached, _) in all_tools.items()}
        commands["/bin/true (floor)"] = (["/bin/true"], environment(root, emulator))
        times = hyperfine(commands, root)
    finally:
        emulator.stop()
        shutil.rmtree(root, ignore_errors=True)

    ours = times["aws-runas (this)"][0]
    peers = {n: t for n, t in times.items() if n not in ("aws-runas (this)", "aws-runas (baseline)", "/bin/true (floor)")}
    fastest_peer = min(peers, key=lambda n: peers[n][0])
    print()
    print("Cached run of an MFA-gated role (the credentials already in each tool's cache)")
    print(f"{'tool':32} {'mean':>10} {'± σ':>9} {'runs':>5} {'× ours':>8} {'STS req':>8} {'max RSS':>9}   cold MFA run")
    for name, (mean, sd, runs) in sorted(times.items(), key=lambda kv: kv[1][0]):
        req = per_run.get(name, 0)
        c = cold.get(name)
        first = f"{sum(c['requests'].values())} req, {c['connections']} conn" if c else ""
        print(f"{name:32} {mean * 1000:8.2f}ms {sd * 1000:7.2f}ms {runs:5} {mean / ours:8.1f} {req:8} {rss[name] / 1024:7.1f}MB   {first}")
    print()
    print(f"fastest peer: {fastest_peer}, {peers[fastest_peer][0] / ours:.0f}× slower than aws-runas")
    print(f"aws-runas cached run above the /bin/true floor: {(ours - times['/bin/true (floor)'][0]) * 1000:.2f} ms")
    if "aws-runas (baseline)" in times:
        b = times["aws-runas (baseline)"][0]
        print(f"baseline cached run: {b * 1000:.2f} ms, this build {ours * 1000:.2f} ms ({(ours - b) / b * 100:+.1f}%)")
    c = cold["aws-runas (this)"]
    print(f"cold MFA run of aws-runas: {sum(c['requests'].values())} STS requests {c['requests']}, {c['connections']} TCP connection(s)")
    size = os.path.getsize(OURS)
    print(f"binary: {OURS} {size} bytes ({size / 1048576:.2f} MiB)")
    static_size = os.path.getsize(STATIC)
    print(f"static binary (make static): {STATIC} {static_size} bytes ({static_size / 1e6:.2f} MB)")
    goals = [
        ("static binary at most 3.0 MB", static_size <= 3_000_000),
        ("cached run within 2 ms", ours <= 0.002),
        ("at least 75× faster than the fastest peer", peers[fastest_peer][0] / ours >= 75),
        ("max RSS under 4 MB", rss["aws-runas (this)"] < 4 * 1024),
        ("no STS request on a cached run", per_run["aws-runas (this)"] == 0),
    ]
    print()
    for goal, met in goals:
        print(f"goal: {goal}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
