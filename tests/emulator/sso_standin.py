#!/usr/bin/env python3
"""A stand-in for IAM Identity Center's SSO OIDC service and its access portal, for the tests of
aws-runas's SSO support (AWS has no emulator for them). It mints real credentials in the STS/IAM
emulator (emulator.py): the portal's GetRoleCredentials assumes the moto role a permission set
stands for, with a seeded user's keys, so every call made with them is checked by moto's IAM
enforcement like any other.

    sso_standin.py ENDPOINT ACCESS_KEY_ID SECRET_ACCESS_KEY

serves on 127.0.0.1 (ephemeral port) and prints one JSON line when ready:
    {"url": "http://127.0.0.1:PORT", "start_url": ..., "account": ..., "roles": [...]}
then serves until stdin closes. Point botocore or aws-runas at it with AWS_ENDPOINT_URL_SSO_OIDC
and AWS_ENDPOINT_URL_SSO (both: the same URL).

What it serves, as the real services do (JSON, camelCase; errors as {"error": ...} with 400):
- SSO OIDC: POST /client/register (RegisterClient), POST /device_authorization
  (StartDeviceAuthorization), POST /token (CreateToken: grant types device_code, with
  authorization_pending until approved, access_denied once denied, slow_down when polled faster
  than the interval (and for the first SSO_STANDIN_SLOW_DOWN polls), expired_token after
  SSO_STANDIN_DEVICE_SECONDS;
  authorization_code, with the PKCE verifier checked against the S256 challenge; refresh_token,
  rotating the refresh token), GET /authorize (a page with an "Allow" button; POST /authorize
  redirects to the loopback redirect_uri with code and state), GET /device?user_code= (a page
  with an "Allow" button that approves a device code).
- Portal: GET /federation/credentials (GetRoleCredentials, header x-amz-sso_bearer_token),
  GET /assignment/accounts (ListAccounts), GET /assignment/roles (ListAccountRoles), both paged
  one item a page, POST /logout (Logout: the token stops working).
Control, for tests: GET /_standin/stats (calls by operation), POST /_standin/expire (every access
token expires now). SSO_STANDIN_TOKEN_SECONDS sets the access tokens' lifetime (default 3600).

Hostile answers, for the tests of SPEC 12.1: POST /_standin/hostile with a JSON object makes the
services answer as a hostile portal might, from then on (each key replaces what was set before;
{} is a well-behaved service again):
- "accounts": the accountList ListAccounts answers (objects as given, any field);
- "roles": {account id: [role name, ...]}, the roles ListAccountRoles answers (one a page);
- "paging": "endless" (a new nextToken on every page, for ever) or "cycle" (the nextToken of page
  one, then of page two, then of page one again ...), for both lists;
- "register": fields merged into RegisterClient's answer (clientSecretExpiresAt: any JSON value);
- "device": fields merged into StartDeviceAuthorization's answer (expiresIn, interval,
  verificationUri, verificationUriComplete: any JSON value);
- "token": fields merged into every successful CreateToken answer (expiresIn: any JSON value).
- "error": {"status": N, "body": {...}}: every portal call with a valid token (GetRoleCredentials,
  ListAccounts, ListAccountRoles) answers with that status and JSON body instead.
- "role": fields merged into GetRoleCredentials' roleCredentials (expiration: any JSON value).
Hostile values go out as given: huge numbers, negative numbers, control characters.

A slow service, for the tests of races (--sso-logout while a run refreshes or fetches): "delay"
in the same JSON, {operation: seconds}, holds that operation's answer for so long once its
checks have passed (GetRoleCredentials: the bearer token; CreateToken: a refresh grant's
refresh token), as a service does that accepted a request and is slow to answer it.
"""

import base64
import hashlib
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3

ACCOUNT = "123456789012"
ACCOUNT_NAME = "sandbox"
START_URL = "https://standin.awsapps.example/start"
# Permission sets, and the emulator's role each stands for (with its external id, if any).
ROLES = {"AdministratorAccess": ("admin", None), "ReadOnlyAccess": ("ext", "ext-7f3a")}
TOKEN_SECONDS = int(os.environ.get("SSO_STANDIN_TOKEN_SECONDS", "3600"))
# How long a device code lives, and how many of its first polls are told to slow down.
DEVICE_SECONDS = int(os.environ.get("SSO_STANDIN_DEVICE_SECONDS", "600"))
SLOW_DOWN = int(os.environ.get("SSO_STANDIN_SLOW_DOWN", "0"))


class State:
    def __init__(self, sts):
        self.sts = sts
        self.lock = threading.Lock()
        self.clients = {}  # client id -> secret
        self.devices = {}  # device code -> {user_code, approved, last_poll, interval, client}
        self.codes = {}  # authorization code -> {challenge, redirect_uri, client}
        self.access = {}  # access token -> expiry (unix seconds)
        self.refresh = {}  # refresh token -> client id
        self.stats = {}
        self.hostile = {}

    def count(self, operation):
        with self.lock:
            self.stats[operation] = self.stats.get(operation, 0) + 1

    def tokens(self, client):
        access, refresh = "at-" + secrets.token_hex(16), "rt-" + secrets.token_hex(16)
        self.access[access] = time.time() + TOKEN_SECONDS
        self.refresh[refresh] = client
        answer = {"accessToken": access, "tokenType": "Bearer", "expiresIn": TOKEN_SECONDS, "refreshToken": refresh}
        answer.update(self.hostile.get("token", {}))
        return answer


def s256(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Handler(BaseHTTPRequestHandler):
    state = None

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=()):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name == "Content-Type" for name, _ in headers):
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # The "delay" of POST /_standin/hostile (see the docstring): a slow answer, for races.
    def pause(self, operation):
        time.sleep(float(self.state.hostile.get("delay", {}).get(operation, 0)))

    def error(self, code, status=400):
        self.answer(status, {"error": code, "error_description": code})

    def body(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return dict(urllib.parse.parse_qsl(raw.decode()))
        return json.loads(raw or b"{}")

    def bearer(self):
        token = self.headers.get("x-amz-sso_bearer_token", "")
        expiry = self.state.access.get(token)
        return expiry is not None and expiry > time.time()

    def do_POST(self):
        path = urllib.parse.urlparse(self.path).path
        st = self.state
        if path == "/client/register":
            st.count("RegisterClient")
            client, secret = "client-" + secrets.token_hex(8), "secret-" + secrets.token_hex(16)
            st.clients[client] = secret
            now = int(time.time())
            answer = {"clientId": client, "clientSecret": secret, "clientIdIssuedAt": now,
                      "clientSecretExpiresAt": now + 90 * 86400}
            answer.update(st.hostile.get("register", {}))
            return self.answer(200, answer)
        if path == "/device_authorization":
            st.count("StartDeviceAuthorization")
            body = self.body()
            device, user = "dc-" + secrets.token_hex(16), secrets.token_hex(2).upper() + "-" + secrets.token_hex(2).upper()
            st.devices[device] = {"user_code": user, "approved": False, "denied": False, "last_poll": 0.0,
                                  "interval": 1, "client": body.get("clientId"), "slow_down": SLOW_DOWN,
                                  "expires": time.time() + DEVICE_SECONDS}
            base = f"http://{self.headers['Host']}"
            answer = {"deviceCode": device, "userCode": user, "verificationUri": f"{base}/device",
                      "verificationUriComplete": f"{base}/device?user_code={user}",
                      "expiresIn": DEVICE_SECONDS, "interval": 1}
            answer.update(st.hostile.get("device", {}))
            return self.answer(200, answer)
        if path == "/token":
            st.count("CreateToken")
            return self.create_token(self.body())
        if path == "/authorize":
            form = self.body()
            code = "code-" + secrets.token_hex(16)
            st.codes[code] = {"challenge": form["code_challenge"], "redirect_uri": form["redirect_uri"],
                              "client": form["client_id"]}
            query = urllib.parse.urlencode({"code": code, "state": form["state"]})
            return self.answer(302, "", [("Location", f"{form['redirect_uri']}?{query}"), ("Content-Type", "text/plain")])
        if path == "/device":
            form = self.body()
            for device in st.devices.values():
                if device["user_code"] == form.get("user_code"):
                    device["denied" if form.get("action") == "deny" else "approved"] = True
            return self.answer(200, "<p>Approved.</p>", [("Content-Type", "text/html")])
        if path == "/logout":
            st.count("Logout")
            st.access.pop(self.headers.get("x-amz-sso_bearer_token", ""), None)
            return self.answer(200, {})
        if path == "/_standin/hostile":
            st.hostile = self.body()
            return self.answer(200, st.hostile)
        if path == "/_standin/expire":
            for token in st.access:
                st.access[token] = 0
            return self.answer(200, {})
        return self.error("not_found", 404)

    def create_token(self, body):
        st = self.state
        client = body.get("clientId")
        if st.clients.get(client) != body.get("clientSecret"):
            return self.error("invalid_client")
        grant = body.get("grantType")
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            device = st.devices.get(body.get("deviceCode"))
            now = time.time()
            if device is None or device["expires"] < now:
                return self.error("expired_token")
            if device["denied"]:
                return self.error("access_denied")
            if device["slow_down"] > 0 or now - device["last_poll"] < device["interval"]:
                device["slow_down"] -= 1
                device["last_poll"] = now
                return self.error("slow_down")
            device["last_poll"] = now
            if not device["approved"]:
                return self.error("authorization_pending")
            del st.devices[body["deviceCode"]]
            return self.answer(200, st.tokens(client))
        if grant == "authorization_code":
            code = st.codes.pop(body.get("code"), None)
            if code is None or code["redirect_uri"] != body.get("redirectUri"):
                return self.error("invalid_grant")
            if s256(body.get("codeVerifier", "")) != code["challenge"]:
                return self.error("invalid_grant")
            return self.answer(200, st.tokens(client))
        if grant == "refresh_token":
            if st.refresh.pop(body.get("refreshToken"), None) != client:
                return self.error("invalid_grant")
            self.pause("CreateToken")
            return self.answer(200, st.tokens(client))
        return self.error("unsupported_grant_type")

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        st = self.state
        if url.path == "/_standin/stats":
            return self.answer(200, st.stats)
        if url.path == "/authorize":
            fields = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in query.items())
            page = f'<form method="post" action="/authorize">{fields}<button id="allow">Allow</button></form>'
            return self.answer(200, page, [("Content-Type", "text/html")])
        if url.path == "/device":
            user = query.get("user_code", "")
            page = (f'<form method="post" action="/device"><input name="user_code" value="{user}">'
                    '<button id="allow">Allow</button><button name="action" value="deny" id="deny">Deny</button></form>')
            return self.answer(200, page, [("Content-Type", "text/html")])
        portal = {"/federation/credentials": "GetRoleCredentials", "/assignment/accounts": "ListAccounts",
                  "/assignment/roles": "ListAccountRoles"}
        if url.path not in portal:
            return self.error("not_found", 404)
        st.count(portal[url.path])
        if not self.bearer():
            return self.answer(401, {"message": "Session token not found or invalid"},
                               [("x-amzn-ErrorType", "UnauthorizedException"), ("Content-Type", "application/json")])
        if "error" in st.hostile:
            failure = st.hostile["error"]
            return self.answer(failure.get("status", 400), failure.get("body", {}))
        if url.path == "/assignment/accounts":
            accounts = st.hostile.get("accounts", [{"accountId": ACCOUNT, "accountName": ACCOUNT_NAME,
                                                    "emailAddress": "sandbox@example.com"}])
            return self.answer(200, self.paged(query, "accountList", accounts))
        if url.path == "/assignment/roles":
            account = query.get("account_id", "")
            names = st.hostile.get("roles", {}).get(account, sorted(ROLES) if account == ACCOUNT else [])
            return self.answer(200, self.paged(query, "roleList",
                                               [{"roleName": name, "accountId": account} for name in names]))
        return self.role_credentials(query)

    def paged(self, query, key, items):
        """One page of `items` under `key` (one item a page, for roles; all at once for accounts),
        with the nextToken a well-behaved or a hostile portal would send."""
        paging = self.state.hostile.get("paging")
        token = query.get("next_token") or ""
        if paging == "endless":
            return {key: items[:1], "nextToken": "page-" + secrets.token_hex(8)}
        if paging == "cycle":
            return {key: items[:1], "nextToken": "page-b" if token == "page-a" else "page-a"}
        if key == "accountList":
            return {key: items}
        start = int(token or 0)
        page = {key: items[start:start + 1]}
        if start + 1 < len(items):
            page["nextToken"] = str(start + 1)
        return page

    def role_credentials(self, query):
        self.pause("GetRoleCredentials")
        role = ROLES.get(query.get("role_name"))
        if role is None or query.get("account_id") != ACCOUNT:
            return self.answer(403, {"message": "No access"},
                               [("x-amzn-ErrorType", "ForbiddenException"), ("Content-Type", "application/json")])
        name, external_id = role
        kwargs = {"ExternalId": external_id} if external_id else {}
        creds = self.state.sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
                                           RoleSessionName="sso-user", DurationSeconds=3600, **kwargs)["Credentials"]
        answer = {"accessKeyId": creds["AccessKeyId"], "secretAccessKey": creds["SecretAccessKey"],
                  "sessionToken": creds["SessionToken"], "expiration": int(creds["Expiration"].timestamp() * 1000)}
        answer.update(self.state.hostile.get("role", {}))
        return self.answer(200, {"roleCredentials": answer})


def main():
    endpoint, key, secret = sys.argv[1:4]
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id=key, aws_secret_access_key=secret)
    Handler.state = State(sts)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    print(json.dumps({"url": url, "start_url": START_URL, "account": ACCOUNT, "roles": sorted(ROLES)}), flush=True)
    sys.stdin.buffer.read()
    server.shutdown()


if __name__ == "__main__":
    main()
