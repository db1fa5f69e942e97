#!/usr/bin/env python3
"""make bench, `aws login`: a cached run of a role on an `aws login` profile against a cached run
of an IAM user's MFA-gated role, same binary, same machine, one run (SPEC §13).

The login session is alice's session in the emulator's `admin` role, minted with her keys by
boto3 (not by us) and written to the login cache as `aws login` writes it (LOGIN-PROTOCOL.md §2:
`~/.aws/login/cache/<sha256 hex of the ARN>.json`, 0600 in a 0700 directory), expiring hours
from now, so no refresh is due. The role profile on it (`chained`, whose trust names that
session) has its role cache primed by one real run, as sso.py primes its caches, and so has the
IAM user's (one cold MFA run). Then callgrind counts the instructions of a cached run of each,
hyperfine times them, and the emulator counts the requests of every measured run: it answers
at AWS_ENDPOINT_URL, where both STS and the Sign-In refresh would go (no per-service endpoint
is set), so a run that assumed the role again or refreshed the session would be counted there.
The priming run's own request shows that the count sees this HOME's calls.

Goal (the acceptance point): the cached role-on-login run within 5% of the instructions of the
cached IAM-user role run, with no request. Unlike the other reports of make bench, this one
fails (exit 1) when a goal is not met.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ACCOUNT, OURS, Emulator, environment, hyperfine, instructions, make_home, run_once, totp  # noqa: E402

GOAL = 0.05
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/alice"
LOGIN_CONFIG = (
    "[default]\nregion = us-east-1\n\n"
    f"[profile signin]\nlogin_session = {SESSION}\nregion = us-east-1\n\n"
    f"[profile via-login]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/chained\nsource_profile = signin\nregion = us-east-1\n"
)
# How long the session's credentials last: far more than the bench takes, so no refresh is due
# (one is due 5 minutes before the expiry).
VALID_FOR = 6 * 3600
# A DPoP key in the CLI's PEM form: carried, never used (no refresh is due).
DPOP_KEY = (
    "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIPt/u8InPLpQeQLJTvVX+sNDzni8vMDMt3Liu+nMBigfoAoGCCqGSM49\n"
    "AwEHoUQDQgAEILkGG7rNOnxiIJlMgimY1UPP8eDMFP0DAY6WGjngP4bvTAiUCQ/I\n"
    "ffut2379uP+OBCm2ovGpBOJRgrl1RspUOQ==\n-----END EC PRIVATE KEY-----\n"
)


def mint(emulator):
    """Credentials of alice's session in `admin`, made by the emulator for her keys."""
    import boto3

    sts = boto3.client("sts", endpoint_url=emulator.endpoint, region_name="us-east-1",
                       aws_access_key_id=emulator.alice["access_key_id"],
                       aws_secret_access_key=emulator.alice["secret_access_key"])
    return sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/admin", RoleSessionName="alice")["Credentials"]


def login_home(root, creds):
    """A HOME without keys: the config above and the session's cache file, as `aws login` writes it."""
    home = os.path.join(root, "login")
    os.makedirs(os.path.join(home, ".aws"))
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        f.write(LOGIN_CONFIG)
    cache = os.path.join(home, ".aws", "login", "cache")
    os.makedirs(cache, mode=0o700)
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + VALID_FOR))
    document = {
        "accessToken": {
            "accessKeyId": creds["AccessKeyId"],
            "secretAccessKey": creds["SecretAccessKey"],
            "sessionToken": creds["SessionToken"],
            "accountId": ACCOUNT,
            "expiresAt": expires,
        },
        "tokenType": "aws_sigv4",
        "clientId": "arn:aws:signin:::devtools/same-device",
        "refreshToken": "bench-refresh-token",
        "idToken": "eyJhbGciOiJFUzM4NCJ9.e30.c2ln",
        "dpopKey": DPOP_KEY,
    }
    path = os.path.join(cache, hashlib.sha256(SESSION.encode()).hexdigest() + ".json")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(document, f)
    return home, expires


def requests(emulator):
    return sum(emulator.stats()["requests"].values())


def main():
    if shutil.which("valgrind") is None:
        raise SystemExit("bench: valgrind is missing (make bench installs it)")
    if not os.path.exists(OURS):
        raise SystemExit("bench: build first (make build)")
    emulator = Emulator()
    root = tempfile.mkdtemp(prefix="aws-runas-bench-login-")
    try:
        iam_home = make_home(root, "iam", emulator)
        iam_env = environment(iam_home, emulator)
        run_once([OURS, "-o", totp(emulator.alice["mfa_seed"]), "mfa-admin", "true"], iam_env)
        login_home_dir, expires = login_home(root, mint(emulator))
        login_env = environment(login_home_dir, emulator)
        emulator.reset()
        run_once([OURS, "via-login", "true"], login_env)
        priming = emulator.stats()["requests"]
        if not os.path.exists(os.path.join(login_home_dir, ".aws", ".aws_assume_role_via-login")):
            raise SystemExit("bench: the priming run left no role cache file .aws_assume_role_via-login")
        commands = {
            "cached IAM-user role run": ([OURS, "mfa-admin", "true"], iam_env),
            "cached role-on-login run": ([OURS, "via-login", "true"], login_env),
        }
        # Every measured run below is counted: callgrind's and hyperfine's.
        emulator.reset()
        # Without the wrapped command: an exec would end callgrind's count unreported.
        counted = {name: instructions(argv[:-1], env) for name, (argv, env) in commands.items()}
        times = hyperfine(commands, root)
        measured = emulator.stats()["requests"]
    finally:
        emulator.stop()
        shutil.rmtree(root, ignore_errors=True)
    report(counted, times, priming, measured, expires)


def report(counted, times, priming, measured, expires):
    iam, login = counted["cached IAM-user role run"], counted["cached role-on-login run"]
    if not (iam and login):
        raise SystemExit(f"bench: callgrind counted nothing: {counted}")
    print()
    print("Cached runs, a role on an aws login session against an IAM user's MFA-gated role")
    print(f"(the login session's credentials expire at {expires}: no refresh is due)")
    print(f"{'':28} {'instructions':>14} {'mean':>10} {'± σ':>9} {'runs':>5}")
    for name, (mean, sd, runs) in times.items():
        print(f"{name:28} {counted[name]:>14,} {mean * 1000:8.2f}ms {sd * 1000:7.2f}ms {runs:5}")
    ratio = login / iam
    print(f"role-on-login against IAM user: {ratio:.4f} ({(ratio - 1) * 100:+.2f}% instructions, "
          f"{login - iam:+,}), {(times['cached role-on-login run'][0] / times['cached IAM-user role run'][0] - 1) * 100:+.1f}% time")
    made = sum(measured.values())
    print(f"requests of the priming run (role not cached yet): {sum(priming.values())} {priming}")
    print(f"requests of the measured cached runs (callgrind and hyperfine, both profiles): {made} {measured}")
    goals = [
        (f"a cached role-on-login run within {GOAL * 100:.0f}% of the instructions of a cached IAM-user role run",
         ratio <= 1 + GOAL),
        ("no request on a cached run", made == 0),
        ("the count sees this HOME's requests (the priming run's AssumeRole)", priming.get("AssumeRole") == 1),
    ]
    for goal, met in goals:
        print(f"goal: {goal}: {'met' if met else 'NOT met'}")
    if not all(met for _, met in goals):
        sys.exit(1)


if __name__ == "__main__":
    main()
