#!/usr/bin/env python3
"""make bench, IAM Identity Center: a cached run of an SSO profile against a cached run of an
IAM user's MFA-gated role, same binary, same machine, one run. The SSO login is made by
aws-runas itself (the device grant, approved on the stand-in's page) through the SSO OIDC and
portal stand-in (tests/emulator/sso_standin.py), whose role credentials are real emulator ones;
each cache is primed by one run. Then hyperfine times both, callgrind counts their
instructions, and the stand-in and the emulator count the requests of a cached run (goal: none).
Goal: the cached SSO run within 10% of the cached IAM-user run. A benchmark: it reports.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ACCOUNT, OURS, ROOT, Emulator, environment, hyperfine, instructions, make_home, run_once, totp  # noqa: E402

SSO_CONFIG = (
    "[profile sso-admin]\nsso_session = corp\nsso_account_id = {account}\nsso_role_name = AdministratorAccess\n"
    "region = us-east-1\n\n[sso-session corp]\nsso_start_url = https://standin.awsapps.example/start\n"
    "sso_region = us-east-1\n"
)


def standin(emulator):
    proc = subprocess.Popen(
        [os.path.join(ROOT, ".venv", "bin", "python"), os.path.join(ROOT, "tests", "emulator", "sso_standin.py"),
         emulator.endpoint, emulator.alice["access_key_id"], emulator.alice["secret_access_key"]],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    return proc, json.loads(proc.stdout.readline())["url"]


def standin_calls(url):
    with urllib.request.urlopen(url + "/_standin/stats") as r:
        return sum(json.load(r).values())


def device_login(env, url):
    """aws-runas --sso-login with the device grant, approved as a user would."""
    proc = subprocess.Popen([OURS, "--sso-login", "--use-device-code", "--no-browser", "sso-admin"],
                            env=env, stderr=subprocess.PIPE, text=True)
    code = re.search(r"enter the code (\S+)", proc.stderr.readline()).group(1)
    form = f"user_code={code}".encode()
    urllib.request.urlopen(urllib.request.Request(url + "/device", data=form, method="POST")).read()
    proc.stderr.read()
    if proc.wait() != 0:
        raise SystemExit("bench: the SSO login failed")


def main():
    emulator = Emulator()
    proc, url = standin(emulator)
    root = tempfile.mkdtemp(prefix="aws-runas-bench-sso-")
    try:
        iam_home = make_home(root, "iam", emulator)
        iam_env = environment(iam_home, emulator)
        run_once([OURS, "-o", totp(emulator.alice["mfa_seed"]), "mfa-admin", "true"], iam_env)
        sso_home = os.path.join(root, "sso")
        os.makedirs(os.path.join(sso_home, ".aws"))
        with open(os.path.join(sso_home, ".aws", "config"), "w") as f:
            f.write(SSO_CONFIG.format(account=ACCOUNT))
        sso_env = {**environment(sso_home, emulator), "AWS_ENDPOINT_URL_SSO": url, "AWS_ENDPOINT_URL_SSO_OIDC": url}
        device_login(sso_env, url)
        run_once([OURS, "sso-admin", "true"], sso_env)
        # Requests of one cached run of each.
        before = standin_calls(url)
        emulator.reset()
        run_once([OURS, "sso-admin", "true"], sso_env)
        run_once([OURS, "mfa-admin", "true"], iam_env)
        requests = standin_calls(url) - before + sum(emulator.stats()["requests"].values())
        commands = {
            "cached IAM-user role run": ([OURS, "mfa-admin", "true"], iam_env),
            "cached SSO run": ([OURS, "sso-admin", "true"], sso_env),
        }
        counted = {name: instructions(argv[:-1], env) for name, (argv, env) in commands.items()}
        times = hyperfine(commands, root)
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
        emulator.stop()
        shutil.rmtree(root, ignore_errors=True)
    print()
    print("Cached runs, IAM Identity Center against an IAM user's MFA-gated role")
    for name, (mean, sd, runs) in times.items():
        count = counted.get(name)
        extra = f", {count:,} instructions (callgrind)" if count else ""
        print(f"{name:28} {mean * 1000:8.2f}ms ± {sd * 1000:.2f}ms ({runs} runs){extra}")
    iam, sso = times["cached IAM-user role run"][0], times["cached SSO run"][0]
    print(f"SSO against IAM user: {(sso - iam) / iam * 100:+.1f}% time", end="")
    ci, cs = counted["cached IAM-user role run"], counted["cached SSO run"]
    if ci and cs:
        print(f", {(cs - ci) / ci * 100:+.2f}% instructions")
    else:
        print()
    print(f"requests of the two cached runs (stand-in and emulator): {requests}")
    within = (cs <= ci * 1.10) if (ci and cs) else (sso <= iam * 1.10)
    print(f"goal: a cached SSO run within 10% of a cached IAM-user run: {'met' if within else 'NOT met'}")
    print(f"goal: no request on a cached SSO run: {'met' if requests == 0 else 'NOT met'}")


if __name__ == "__main__":
    main()
