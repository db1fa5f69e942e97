#!/usr/bin/env python3
"""make bench, part 2: the credential endpoints under load, on loopback.

aws-runas --ec2 and --ecs serve an MFA-gated role (mfa-admin, the cache primed with one cold
run), and wrk (Debian's package) asks for the credentials as SDKs do, each case for a bounded
time, with CONNECTIONS connections on 2 threads:

- IMDSv2 credential GET (with a token, the steady state of an SDK);
- IMDSv2 token PUT (each SDK refresh starts with one);
- ECS credential GET (with the authorization token).

Reported: requests per second, p50 and p99 latency (wrk's), non-2xx answers, and the serving
process's peak and current resident memory (VmHWM, VmRSS) and threads after the load.
Goal, checked here and reported (a benchmark, not a test): at least 10,000 credential GETs per
second with p99 under 2 ms on a 2-core machine. The access log goes to /dev/null (its cost is
counted; its bytes are not kept).
"""

import os
import re
import subprocess
import sys
import tempfile
import time
import shutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import OURS, Emulator, environment, make_home, totp  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))


def serve(mode, env, lines):
    """Starts `aws-runas <mode> mfa-admin`; returns the process and its export lines."""
    proc = subprocess.Popen(
        [OURS, mode, "mfa-admin"],
        env=dict(env, AWS_RUNAS_EC2_ADDR="127.0.0.1:0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    exports = {}
    for _ in range(lines):
        name, _, value = proc.stdout.readline().strip().removeprefix("export ").partition("=")
        exports[name] = value
    return proc, exports


def wrk(url, headers, method="GET"):
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    for h in headers:
        args += ["-H", h]
    if method != "GET":
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(f'wrk.method = "{method}"\n')
        script.close()
        args += ["-s", script.name]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, latency.get("50", "?"), latency.get("99", "?"), int(non2xx.group(1)) if non2xx else 0


def millis(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def memory(pid):
    status = open(f"/proc/{pid}/status").read()
    get = lambda key: re.search(rf"^{key}:\s+(\d+)", status, re.M).group(1)  # noqa: E731
    return int(get("VmHWM")), int(get("VmRSS")), int(get("Threads"))


def main():
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is missing (make bench installs it)")
    root = tempfile.mkdtemp(prefix="aws-runas-bench-endpoints-")
    emulator = Emulator()
    rows = []
    try:
        home = make_home(root, "ours", emulator)
        env = environment(home, emulator)
        subprocess.run([OURS, "-o", totp(emulator.alice["mfa_seed"]), "mfa-admin", "true"], env=env, check=True)
        ec2, exports = serve("--ec2", env, 1)
        url = exports["AWS_EC2_METADATA_SERVICE_ENDPOINT"]
        token = subprocess.run(
            ["curl", "-s", "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 21600", url + "latest/api/token"],
            capture_output=True, text=True, check=True,
        ).stdout
        rows.append(("--ec2 IMDSv2 credential GET", *wrk(url + "latest/meta-data/iam/security-credentials/mfa-admin", [f"X-aws-ec2-metadata-token: {token}"]), *memory(ec2.pid)))
        rows.append(("--ec2 IMDSv2 token PUT", *wrk(url + "latest/api/token", ["X-aws-ec2-metadata-token-ttl-seconds: 60"], "PUT"), *memory(ec2.pid)))
        ec2.terminate()
        ec2.wait()
        ecs, exports = serve("--ecs", env, 2)
        rows.append(("--ecs credential GET", *wrk(exports["AWS_CONTAINER_CREDENTIALS_FULL_URI"], [f"Authorization: {exports['AWS_CONTAINER_AUTHORIZATION_TOKEN']}"]), *memory(ecs.pid)))
        ecs.terminate()
        ecs.wait()
    finally:
        emulator.stop()
        shutil.rmtree(root, ignore_errors=True)
    print()
    print(f"Credential endpoints under load (wrk, 2 threads, {CONNECTIONS} connections, {SECONDS} s each, loopback, {os.cpu_count()} cores)")
    print(f"{'case':30} {'req/s':>9} {'p50':>9} {'p99':>9} {'non-2xx':>8} {'peak RSS':>9} {'RSS':>8} {'threads':>8}")
    for name, rps, p50, p99, bad, hwm, rss, threads in rows:
        print(f"{name:30} {rps:9.0f} {p50:>9} {p99:>9} {bad:8} {hwm / 1024:7.1f}MB {rss / 1024:6.1f}MB {threads:8}")
    print()
    for name, rps, _, p99, bad, *_ in rows:
        if "GET" in name:
            met = rps >= 10_000 and millis(p99) < 2.0 and bad == 0
            print(f"goal: {name}: at least 10,000 req/s with p99 under 2 ms: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
