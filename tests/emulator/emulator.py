#!/usr/bin/env python3
"""The STS/IAM emulator for aws-runas's tests and `make demo`.

moto's server (pinned in tests/emulator/requirements.txt) on 127.0.0.1, on an ephemeral port,
with the patches of patches.py (where moto falls short of AWS), seeded through boto3 with one
account, then IAM auth enforcement turned on, so every request's SigV4 signature, identity policy
and role trust are really checked.

Protocol: prints one JSON line on stdout when ready:
    {"endpoint": "http://127.0.0.1:PORT", "account": "...", "users": {NAME: {keys}}}
then serves until its standard input closes (the test process that started it exited, however
it exited) or it gets SIGTERM/SIGINT. So it is always shut down.

The seeded account (facts the tests rely on):
  users   alice (group devs, may assume admin, ext, untrusted, chained), bob (no policies)
  roles   admin      trusts alice; may assume other roles (for chaining); max session 12h
          ext        trusts alice only with sts:ExternalId = ext-7f3a
          forbidden  trusts alice, but alice's identity policy does not allow it
          untrusted  allowed by alice's policy, but trusts only bob
          chained    trusts the session arn:aws:sts::ACCOUNT:assumed-role/admin/alice
"""

import json
import logging
import os
import signal
import sys
import threading
import urllib.request

import boto3
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

import patches

ACCOUNT = "123456789012"
EXTERNAL_ID = "ext-7f3a"


def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def seed(endpoint):
    session = boto3.session.Session(
        aws_access_key_id="seed", aws_secret_access_key="seed", region_name="us-east-1"
    )
    iam = session.client("iam", endpoint_url=endpoint)
    users = {}
    for name in ("alice", "bob"):
        iam.create_user(UserName=name)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        users[name] = {
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "access_key_id": key["AccessKeyId"],
            "secret_access_key": key["SecretAccessKey"],
        }
    alice, bob = users["alice"]["arn"], users["bob"]["arn"]
    role_arn = lambda name: f"arn:aws:iam::{ACCOUNT}:role/{name}"  # noqa: E731

    roles = {
        "admin": trust(alice),
        "ext": trust(alice, {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}),
        "forbidden": trust(alice),
        "untrusted": trust(bob),
        "chained": trust(f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/alice"),
    }
    for name, document in roles.items():
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=document, MaxSessionDuration=43200)
    # A role session may assume further roles (chaining) and read IAM.
    iam.put_role_policy(
        RoleName="admin",
        PolicyName="chain",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
        ),
    )
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.put_group_policy(
        GroupName="devs",
        PolicyName="assume",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Resource": [role_arn(r) for r in ("admin", "ext", "untrusted", "chained")],
                    },
                    # moto matches IAM actions against "*" only.
                    {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
                ],
            }
        ),
    )
    return users


def enforce_auth(endpoint):
    # moto reads the count from a raw text/plain body; 0 means every request from now on.
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth", data=b"0", headers={"Content-Type": "text/plain"}, method="POST"
    )
    with urllib.request.urlopen(request) as response:
        response.read()


def main():
    patches.apply()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    users = seed(endpoint)
    enforce_auth(endpoint)

    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())

    def watch_stdin():
        sys.stdin.buffer.read()
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(json.dumps({"endpoint": endpoint, "account": ACCOUNT, "external_id": EXTERNAL_ID, "users": users}), flush=True)
    done.wait()
    server.stop()


if __name__ == "__main__":
    os.environ.setdefault("MOTO_CALL_RESET_API", "false")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    main()
