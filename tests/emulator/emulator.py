#!/usr/bin/env python3
"""The STS/IAM emulator for aws-runas's tests, `make demo` and `make bench`.

moto's server (pinned in tests/emulator/requirements.txt) on 127.0.0.1, on an ephemeral port,
with the patches of patches.py (where moto falls short of AWS), seeded through boto3 with one
account, then IAM auth enforcement turned on, so every request's SigV4 signature, identity policy
and role trust are really checked.

    emulator.py          serve; print one JSON line when ready:
                         {"endpoint", "account", "external_id", "users": {NAME: {arn, keys,
                         mfa_serial, mfa_seed}}}
                         then serve until stdin closes (the process that started it exited,
                         however it exited) or SIGTERM/SIGINT. So it is always shut down.
    emulator.py totp SEED [OFFSET]
                         print the current TOTP code of a device seed (OFFSET seconds ahead)

Connections are kept alive (HTTP/1.1), as AWS's are. EMULATOR_DATE_OFFSET (seconds) puts the Date
headers that far off: the client's clock then looks skewed by as much. Counting, for tests and
benchmarks: GET /_emulator/stats gives {"requests": {ACTION: n}, "connections": n, "server_seconds": s}
(s: the time spent answering them) since the start or the last POST /_emulator/stats/reset.

The seeded account (facts the tests rely on):
  users   alice (group devs; virtual MFA device), bob (no policies; virtual MFA device),
          carol, dave (group ops; the policies -l reads, see seed_discovery; MFA devices)
  roles   admin      trusts alice; may assume other roles (for chaining); max session 12h
          ext        trusts alice only with sts:ExternalId = ext-7f3a
          forbidden  trusts alice, but alice's identity policy does not allow it
          untrusted  allowed by alice's policy, but trusts only bob
          chained    trusts the session arn:aws:sts::ACCOUNT:assumed-role/admin/alice
          sso-chained  trusts the session arn:aws:sts::ACCOUNT:assumed-role/admin/sso-user (the
                     SSO stand-in's AdministratorAccess)
          login-chained  trusts the session arn:aws:sts::ACCOUNT:assumed-role/admin/login-user (the
                     sign-in stand-in's session, login_standin.py)
          mfa-admin, mfa-ops
                     trust alice only with aws:MultiFactorAuthPresent; max session 12h
          web        trusts the OIDC provider patches.OIDC_PROVIDER (AssumeRoleWithWebIdentity
                     with the ready line's web_identity_token)
"""

import io
import json
import os
import signal
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import patches  # noqa: E402

ACCOUNT = "123456789012"
EXTERNAL_ID = "ext-7f3a"
DATE_OFFSET = float(os.environ.get("EMULATOR_DATE_OFFSET", "0"))


def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def seed(endpoint):
    import boto3
    from moto.iam.models import iam_backends

    session = boto3.session.Session(
        aws_access_key_id="seed", aws_secret_access_key="seed", region_name="us-east-1"
    )
    iam = session.client("iam", endpoint_url=endpoint)
    users = {}
    for name in ("alice", "bob", "carol", "dave"):
        iam.create_user(UserName=name)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(
            UserName=name, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )
        device = iam_backends[ACCOUNT]["aws"].virtual_mfa_devices[serial]
        users[name] = {
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "access_key_id": key["AccessKeyId"],
            "secret_access_key": key["SecretAccessKey"],
            "mfa_serial": serial,
            "mfa_seed": device.base32_string_seed,
        }
    alice, bob = users["alice"]["arn"], users["bob"]["arn"]
    role_arn = lambda name: f"arn:aws:iam::{ACCOUNT}:role/{name}"  # noqa: E731
    with_mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}

    roles = {
        "admin": trust(alice),
        "ext": trust(alice, {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}),
        "forbidden": trust(alice),
        "untrusted": trust(bob),
        "chained": trust(f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/alice"),
        # Chained from the IAM Identity Center stand-in's admin session (sso_standin.py).
        "sso-chained": trust(f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/sso-user"),
        # Chained from the sign-in stand-in's session (login_standin.py): a role on an `aws login`.
        "login-chained": trust(f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/login-user"),
        "mfa-admin": trust(alice, with_mfa),
        "mfa-ops": trust(alice, with_mfa),
    }
    # A role a CI job assumes with its OIDC token (AssumeRoleWithWebIdentity).
    roles["web"] = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{patches.OIDC_PROVIDER}"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                }
            ],
        }
    )
    for name, document in roles.items():
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=document, MaxSessionDuration=43200)
    # A role session may assume further roles (chaining).
    iam.put_role_policy(
        RoleName="admin",
        PolicyName="chain",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
        ),
    )
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    assumable = ("admin", "ext", "untrusted", "chained", "mfa-admin", "mfa-ops")
    iam.put_group_policy(
        GroupName="devs",
        PolicyName="assume",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [role_arn(r) for r in assumable]},
                    # moto matches IAM actions against "*" only.
                    {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
                ],
            }
        ),
    )
    seed_discovery(iam, role_arn)
    return users


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def seed_discovery(iam, role_arn):
    """carol and dave, whose policies -l and -c read: every place a policy can sit (user inline,
    user managed, group inline, group managed), a managed policy with two versions, IAM wildcards
    in actions and resources, a Deny, and, for dave, one call refused and one policy gone."""
    read_iam = {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}
    iam.put_user_policy(
        UserName="carol",
        PolicyName="carol-roles",
        PolicyDocument=policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn("admin")}),
    )
    managed = lambda name, document: iam.create_policy(PolicyName=name, PolicyDocument=document)["Policy"]["Arn"]  # noqa: E731
    iam.attach_user_policy(UserName="carol", PolicyArn=managed("carol-iam-read", policy(read_iam)))
    versions = managed(
        "carol-managed", policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn("stale")})
    )
    iam.create_policy_version(
        PolicyArn=versions,
        PolicyDocument=policy({"Effect": "Allow", "Action": "sts:*", "Resource": [role_arn("ext"), role_arn("mfa-admin")]}),
        SetAsDefault=True,
    )
    iam.attach_user_policy(UserName="carol", PolicyArn=versions)
    iam.create_group(GroupName="ops")
    for user in ("carol", "dave"):
        iam.add_user_to_group(GroupName="ops", UserName=user)
    iam.put_group_policy(
        GroupName="ops",
        PolicyName="ops-roles",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": "STS:Assume*", "Resource": [role_arn("team-*"), role_arn("chained")]}
        ),
    )
    ops_managed = managed(
        "ops-managed",
        policy(
            {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": role_arn("mfa-ops")},
            {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": role_arn("ext")},
            {"Effect": "Allow", "Action": "sts:GetSessionToken", "Resource": "*"},
        ),
    )
    iam.attach_group_policy(GroupName="ops", PolicyArn=ops_managed)
    # dave may read IAM but not his group's inline policies, and one of his managed policies is
    # deleted after it was attached (AWS refuses that; moto allows it: the listing still names
    # it, and GetPolicy answers NoSuchEntity, as after a deletion between the two calls).
    iam.put_user_policy(
        UserName="dave",
        PolicyName="dave-read",
        PolicyDocument=policy(read_iam, {"Effect": "Deny", "Action": "iam:GetGroupPolicy", "Resource": "*"}),
    )
    gone = managed("dave-gone", policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn("admin")}))
    iam.attach_user_policy(UserName="dave", PolicyArn=gone)
    iam.delete_policy(PolicyArn=gone)


def enforce_auth(endpoint):
    # moto reads the count from a raw text/plain body; 0 means every request from now on.
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth", data=b"0", headers={"Content-Type": "text/plain"}, method="POST"
    )
    with urllib.request.urlopen(request) as response:
        response.read()


class Counting:
    """WSGI middleware: counts requests by Action and distinct client connections."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.requests = {}
            self.server_seconds = 0.0
            self.connections = set()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/_emulator/stats":
            if environ["REQUEST_METHOD"] == "POST":
                self.reset()
            with self.lock:
                body = json.dumps(
                    {"requests": self.requests, "connections": len(self.connections), "server_seconds": self.server_seconds}
                ).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path.startswith("/moto-api"):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(raw)
        action = "?"
        for pair in raw.decode("latin-1").split("&"):
            if pair.startswith("Action="):
                action = pair[len("Action=") :]
        with self.lock:
            self.requests[action] = self.requests.get(action, 0) + 1
            self.connections.add((environ.get("REMOTE_ADDR"), environ.get("REMOTE_PORT")))
        started = time.perf_counter()
        try:
            return list(self.app(environ, start_response))
        finally:
            with self.lock:
                self.server_seconds += time.perf_counter() - started


class KeepAliveWSGIHandler(BaseHTTPRequestHandler):
    """A small WSGI server that keeps connections alive (HTTP/1.1), as AWS's endpoints do:
    werkzeug's development server closes every connection, which would hide how many
    connections a client opens. Each request body is read in full by Content-Length."""

    protocol_version = "HTTP/1.1"
    # The head and the body go out as separate writes: without TCP_NODELAY, the body would wait
    # for the client's delayed ACK (40 ms a request on Linux), which AWS's endpoints never add.
    disable_nagle_algorithm = True
    app = None

    def handle_request(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        host, port = self.server.server_address[:2]
        environ = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": urllib.parse.unquote(path),
            "QUERY_STRING": query,
            "SERVER_NAME": host,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": str(self.client_address[1]),
            "CONTENT_LENGTH": str(length),
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ["HTTP_" + key] = value
        started = {}

        def start_response(status, headers, exc_info=None):
            started["status"], started["headers"] = status, headers
            return lambda data: chunks.append(data)

        chunks = []
        result = self.app(environ, start_response)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        data = b"".join(chunks)
        code, _, reason = started["status"].partition(" ")
        self.send_response(int(code), reason)
        for name, value in started["headers"]:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def date_time_string(self, timestamp=None):
        """The Date header, EMULATOR_DATE_OFFSET seconds off (a clock-skew test's AWS)."""
        return super().date_time_string((timestamp or time.time()) + DATE_OFFSET)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_request

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    """A client that hangs up (a test stopped it mid-call) is no error of ours."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve():
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    patches.apply()
    app = Counting(DomainDispatcherApplication(create_backend_app))
    KeepAliveWSGIHandler.app = app
    server = QuietServer(("127.0.0.1", 0), KeepAliveWSGIHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    users = seed(endpoint)
    enforce_auth(endpoint)
    app.reset()

    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())

    def watch_stdin():
        sys.stdin.buffer.read()
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    ready = {
        "endpoint": endpoint,
        "account": ACCOUNT,
        "external_id": EXTERNAL_ID,
        "users": users,
        "web_identity_token": patches.web_identity_token("ci-job"),
    }
    print(json.dumps(ready), flush=True)
    done.wait()
    server.shutdown()


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "totp":
        offset = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
        print(patches.totp(sys.argv[2], time.time() + offset))
        sys.exit(0)
    os.environ.setdefault("MOTO_CALL_RESET_API", "false")
    serve()
