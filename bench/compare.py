#!/usr/bin/env python3
"""make compare BASELINE=<binary>: what a user sees, this build against another, in one run.

For a refactoring that must change no behaviour. Both binaries run the same scenarios (cold,
cached, refreshed, chained, direct, ARN-as-profile, MFA, and the usual errors), each binary in its
own HOME, against one emulator. Compared, after masking what differs between any two runs (key
ids, ports, milliseconds, seconds left, the temporary HOME):

- the `-v` lines and the error line on stderr, and the exit code;
- the names of the variables printed on stdout;
- the cache files written: their names, their JSON fields, and every field that is not a secret.

Prints each difference and exits 1 if there is one. A check for people, not a test: CI does not
run it (it needs a second build).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ACCOUNT, OURS, Emulator, totp  # noqa: E402

# (argv, needs an MFA code): run in this order, so later runs see the earlier runs' cache.
SCENARIOS = [
    (["-v", "admin"], False),
    (["-v", "admin"], False),
    (["-v", "-e", "admin"], False),
    (["-v", "-r", "admin"], False),
    (["-v", "-s", "admin"], False),
    (["-v", "chained"], False),
    (["-v", "-a", "2h", "admin"], False),
    (["-v", "ext"], False),
    (["-v", "long"], False),
    (["-v", "badseconds"], False),
    (["-v", "-a", "30m", "badseconds"], False),
    (["-v", "ext-missing"], False),
    (["-v", "forbidden"], False),
    (["-v", f"arn:aws:iam::{ACCOUNT}:role/admin"], False),
    (["-v", "keysonly"], False),
    (["-v", "mfa-admin"], False),
    (["-v", "-o", "CODE", "mfa-admin"], True),
    (["-v", "mfa-ops"], False),
    (["-v", "nope"], False),
    (["-v", "badarn"], False),
    (["-v", "-d", "1d", "admin"], False),
    (["-v", "arn:aws:s3:::bucket"], False),
    (["-v", "--bogus"], False),
    (["-v", "-o", "12345", "admin"], False),
    (["-v", "admin", "sh", "-c", "exit 3"], False),
    (["-v", "admin", "no-such-command-here"], False),
]

# The emulator's world (fixtures/world.config, as the integration tests read it), and the
# profiles of the error cases above.
WORLD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "world.config")
ERROR_CASES = """
[profile badarn]
role_arn = arn:aws:iam::{account}:user/bob
source_profile = dev

[profile long]
role_arn = arn:aws:iam::{account}:role/admin
source_profile = dev
duration_seconds = 7200

[profile badseconds]
role_arn = arn:aws:iam::{account}:role/admin
source_profile = dev
duration_seconds = 1h
"""

SECRET_FIELDS = {"SecretAccessKey", "SessionToken", "AccessKeyID", "Expiration"}
# Written with the clock: two runs a second apart differ here. Compared as present, not by value.
TIME_FIELDS = {"Issued"}


def make_home(root, name, emulator):
    home = os.path.join(root, name)
    os.makedirs(os.path.join(home, ".aws"))
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        with open(WORLD) as world:
            config = world.read() + ERROR_CASES
        f.write(config.format(account=ACCOUNT, serial=emulator.alice["mfa_serial"],
                              external_id=emulator.external_id))
    with open(os.path.join(home, ".aws", "credentials"), "w") as f:
        for profile in ("dev", "mfauser", "default", "keysonly"):
            f.write(f"[{profile}]\naws_access_key_id = {emulator.alice['access_key_id']}\n"
                    f"aws_secret_access_key = {emulator.alice['secret_access_key']}\n\n")
    return home


def mask(text, home, emulator):
    text = text.replace(home, "<HOME>").replace(emulator.endpoint, "<ENDPOINT>")
    text = re.sub(r"\b(AKIA|ASIA)[A-Z0-9]{12,}\b", "<KEY>", text)
    text = re.sub(r"\b\d+ ms\b", "N ms", text)
    text = re.sub(r"\b(valid for|expires in) -?\d+s", r"\1 Ns", text)
    text = re.sub(r"aws-runas-\d{9,}", "aws-runas-<TIME>", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(in \d+ \w+\)", "<WHEN>", text)
    return text


def observe(binary, home, emulator, argv):
    env = {"HOME": home, "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "AWS_ENDPOINT_URL": emulator.endpoint, "AWS_EC2_METADATA_DISABLED": "true"}
    # setsid: no controlling terminal, so a needed MFA prompt fails at once, as in CI.
    r = subprocess.run(["setsid", "--wait", binary, *argv], env=env, capture_output=True, text=True, timeout=60)
    names = [line.split("=", 1)[0] for line in r.stdout.splitlines() if line.startswith("export ")]
    return {"exit": r.returncode, "stderr": mask(r.stderr, home, emulator).splitlines(), "stdout names": names}


def cache_files(home):
    out = {}
    aws = os.path.join(home, ".aws")
    for name in sorted(os.listdir(aws)):
        if not name.startswith(".aws_"):
            continue
        path = os.path.join(aws, name)
        mode = oct(os.stat(path).st_mode & 0o777)
        if name.endswith(".lock"):
            out[name] = {"mode": mode}
            continue
        with open(path) as f:
            entry = json.load(f)
        out[name] = {"mode": mode, "fields": sorted(entry),
                     **{k: v for k, v in entry.items() if k not in SECRET_FIELDS | TIME_FIELDS}}
    return out


def main():
    baseline = os.environ.get("BASELINE") or (sys.argv[1] if len(sys.argv) > 1 else "")
    if not baseline or not os.path.exists(baseline):
        raise SystemExit("compare: give the other build: make compare BASELINE=/path/to/aws-runas")
    root = tempfile.mkdtemp(prefix="aws-runas-compare-")
    emulator = Emulator()
    differences = 0
    try:
        homes = {b: make_home(root, f"h{i}", emulator) for i, b in enumerate((baseline, OURS))}
        for argv, needs_code in SCENARIOS:
            seen = {}
            for binary, home in homes.items():
                args = [totp(emulator.alice["mfa_seed"]) if a == "CODE" else a for a in argv]
                seen[binary] = observe(binary, home, emulator, args)
            if seen[baseline] != seen[OURS]:
                differences += 1
                print(f"DIFFERENT: aws-runas {' '.join(argv)}")
                for key in seen[OURS]:
                    if seen[baseline][key] != seen[OURS][key]:
                        print(f"  {key}:\n    baseline: {seen[baseline][key]}\n    this:     {seen[OURS][key]}")
            else:
                print(f"same: aws-runas {' '.join(argv)} (exit {seen[OURS]['exit']}, "
                      f"{len(seen[OURS]['stderr'])} stderr lines)")
        files = {b: cache_files(h) for b, h in homes.items()}
        if files[baseline] != files[OURS]:
            differences += 1
            print(f"DIFFERENT cache files:\n  baseline: {files[baseline]}\n  this:     {files[OURS]}")
        else:
            print(f"same cache files: {', '.join(files[OURS])}")
    finally:
        emulator.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(f"\n{differences} difference(s) in {len(SCENARIOS)} scenarios and the cache files")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
