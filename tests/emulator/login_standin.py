#!/usr/bin/env python3
"""A stand-in for AWS Sign-In for developer tools (the OAuth2 service behind `aws login`), for the
tests of aws-runas's `login_session` support (AWS has no emulator for it). Wire formats as in
LOGIN-PROTOCOL.md (shared/, sections 3-5). It mints real credentials in the STS/IAM emulator
(emulator.py): every token answer assumes the moto role `admin` as the session `login-user` with a
seeded user's keys, so every call made with them is checked by moto's IAM enforcement.

    login_standin.py ENDPOINT ACCESS_KEY_ID SECRET_ACCESS_KEY

serves on 127.0.0.1 (ephemeral port) and prints one JSON line when ready:
    {"url": "http://127.0.0.1:PORT", "session": SESSION_ARN, "account": ...}
then serves until stdin closes. Point botocore or aws-runas at it with AWS_ENDPOINT_URL_SIGNIN.
SESSION_ARN is the ID token's `sub`, the `login_session` of a profile using it.

What it serves, as LOGIN-PROTOCOL.md describes the service:
- POST /v1/token (CreateOAuth2Token; JSON body, the bare `tokenInput`):
  - every call needs a DPoP header, verified in full: three base64url parts; header typ
    `dpop+jwt`, alg `ES256`, jwk an EC P-256 public key (no `d`); payload htm `POST`, htu this
    request's URL (`http://<Host header><path>`), iat within LOGIN_STANDIN_IAT_SKEW seconds (60)
    of now, jti never seen before; the signature (raw r||s) valid for the jwk;
  - grantType `authorization_code`: code (single use), clientId and redirectUri as authorized,
    codeVerifier (43-128 unreserved chars) whose SHA-256 is the code_challenge; answers with an
    idToken (an ES384 JWT: sub, aud, iss, session_arn, iat, exp) and a refresh token bound to the
    proof's key (its RFC 7638 thumbprint, as cnf.jkt);
  - grantType `refresh_token`: the refresh token, for the same clientId, presented with a proof
    by the key it is bound to; it is spent and a new one returned (rotation);
  - answers {"accessToken": {accessKeyId, secretAccessKey, sessionToken}, "tokenType": "aws_sigv4",
    "expiresIn": LOGIN_STANDIN_EXPIRES_IN (900), "refreshToken": ...}.
  Errors (rest-json: x-amzn-ErrorType header and __type in the body, beside "error" and
  "message"): a bad proof or body, a wrong verifier, redirect, client or key: 400
  ValidationException INVALID_REQUEST; an unknown or spent code: 401 AccessDeniedException
  AUTHCODE_EXPIRED; an unknown, spent or expired refresh token: 401 AccessDeniedException
  TOKEN_EXPIRED (a refresh token lives LOGIN_STANDIN_SESSION_SECONDS, 43200).
  A refused refresh never spends the refresh token.
- GET /v1/authorize (response_type=code, client_id .../same-device or .../cross-device, state,
  code_challenge_method=SHA-256, scope=openid, redirect_uri, code_challenge of 43 chars): a page
  with an "Allow" button (id "allow") and a "Deny" button (id "deny"); a bad request is a 400 page.
  POST /v1/authorize (the page's form) redirects (302) to redirect_uri with code and state (or
  error=access_denied and state). Same-device: redirect_uri must be a loopback http:// URL.
  Cross-device: redirect_uri must be <this URL>/v1/sessions/confirmation, and
  GET /v1/sessions/confirmation?code=&state= shows the code to paste (element id
  "verification-code"): base64 of `state=<state>&code=<code>`.
Control, for tests: GET /_standin/stats (calls by operation: Authorize, CreateOAuth2Token;
refused calls count too), POST /_standin/expire (every refresh token expires now), GET
/_standin/exchanges (the code grants received, each {"code", "codeVerifier"}: secrets of the
client's that a test looks for in its output).

Hostile answers, for the tests of SPEC 12.1: POST /_standin/hostile with a JSON object makes the
service answer as a hostile one might, from then on (each key replaces what was set before; {} is a
well-behaved service again):
- "token": fields merged into every successful CreateOAuth2Token answer (expiresIn: any JSON value;
  accessToken: a whole object);
- "error": {"status": N, "type": "AccessDeniedException", "body": {"error": "TOKEN_EXPIRED", ...}}:
  every CreateOAuth2Token call whose proof passed answers so instead (nothing spent);
- "redirect": fields merged into the query of the authorize redirect (a forged "state", an "error");
- "delay": {"CreateOAuth2Token": seconds} holds a refresh's answer so long once its checks passed.
Hostile values go out as given: huge numbers, negative numbers, control characters.
"""

import base64
import hashlib
import html
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

ACCOUNT = "123456789012"
ROLE, SESSION_NAME = "admin", "login-user"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE}/{SESSION_NAME}"
CLIENTS = ("arn:aws:signin:::devtools/same-device", "arn:aws:signin:::devtools/cross-device")
EXPIRES_IN = int(os.environ.get("LOGIN_STANDIN_EXPIRES_IN", "900"))
SESSION_SECONDS = int(os.environ.get("LOGIN_STANDIN_SESSION_SECONDS", "43200"))
IAT_SKEW = int(os.environ.get("LOGIN_STANDIN_IAT_SKEW", "60"))
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
LOOPBACK = re.compile(r"http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def thumbprint(jwk):
    """RFC 7638: SHA-256 of the required members in lexical order, compact."""
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode()).digest())


class Refused(Exception):
    """A CreateOAuth2Token refusal: HTTP status, exception type, OAuth2 error code, message."""

    def __init__(self, status, kind, code, message):
        super().__init__(message)
        self.status, self.kind, self.code, self.message = status, kind, code, message


def invalid(message):
    return Refused(400, "ValidationException", "INVALID_REQUEST", message)


class State:
    def __init__(self, sts):
        self.sts = sts
        self.lock = threading.Lock()
        self.codes = {}  # authorization code -> {challenge, redirect_uri, client}
        self.refresh = {}  # refresh token -> {client, jkt, expires}
        self.jtis = set()
        self.stats = {}
        self.hostile = {}
        self.exchanges = []  # the code grants' {code, codeVerifier}, as received
        self.id_key = ec.generate_private_key(ec.SECP384R1())  # signs the ID tokens

    def count(self, operation):
        with self.lock:
            self.stats[operation] = self.stats.get(operation, 0) + 1

    def check_proof(self, proof, htu):
        """The DPoP proof's key thumbprint, or Refused."""
        parts = (proof or "").split(".")
        if len(parts) != 3:
            raise invalid("DPoP proof missing or not a JWS")
        try:
            header, payload = json.loads(unb64url(parts[0])), json.loads(unb64url(parts[1]))
            signature = unb64url(parts[2])
        except ValueError:
            raise invalid("DPoP proof not base64url JSON")
        if not isinstance(header, dict) or not isinstance(payload, dict):
            raise invalid("DPoP proof not JSON objects")
        jwk = header.get("jwk")
        if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256":
            raise invalid("DPoP proof typ or alg")
        if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" in jwk:
            raise invalid("DPoP proof jwk")
        try:
            x, y = (int.from_bytes(unb64url(jwk[c]), "big") for c in ("x", "y"))
            key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        except (KeyError, TypeError, ValueError):
            raise invalid("DPoP proof jwk is not a P-256 point")
        if len(signature) != 64:
            raise invalid("DPoP proof signature is not r||s")
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            key.verify(der, f"{parts[0]}.{parts[1]}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise invalid("DPoP proof signature")
        if payload.get("htm") != "POST" or payload.get("htu") != htu:
            raise invalid("DPoP proof htm or htu")
        iat = payload.get("iat")
        if not isinstance(iat, int) or abs(iat - time.time()) > IAT_SKEW:
            raise invalid("DPoP proof iat")
        jti = payload.get("jti")
        with self.lock:
            if not isinstance(jti, str) or not jti or jti in self.jtis:
                raise invalid("DPoP proof jti missing or reused")
            self.jtis.add(jti)
        return thumbprint(jwk)

    def id_token(self, client):
        now = int(time.time())
        header = {"kid": "standin", "typ": "JWT", "alg": "ES384"}
        claims = {"sub": SESSION, "aud": client.replace(":devtools/", ":cli/"), "session_arn": SESSION,
                  "iss": "https://signin.aws.amazon.com/signin", "iat": now, "exp": now + EXPIRES_IN}
        signing_input = ".".join(b64url(json.dumps(p, separators=(",", ":")).encode()) for p in (header, claims))
        r, s = decode_dss_signature(self.id_key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA384())))
        return signing_input + "." + b64url(r.to_bytes(48, "big") + s.to_bytes(48, "big"))

    def tokens(self, client, jkt, with_id_token):
        creds = self.sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{ROLE}", RoleSessionName=SESSION_NAME,
                                     DurationSeconds=max(EXPIRES_IN, 900))["Credentials"]
        refresh = "rt-" + secrets.token_urlsafe(32)
        with self.lock:
            self.refresh[refresh] = {"client": client, "jkt": jkt, "expires": time.time() + SESSION_SECONDS}
        answer = {"accessToken": {"accessKeyId": creds["AccessKeyId"], "secretAccessKey": creds["SecretAccessKey"],
                                  "sessionToken": creds["SessionToken"]},
                  "tokenType": "aws_sigv4", "expiresIn": EXPIRES_IN, "refreshToken": refresh}
        if with_id_token:
            answer["idToken"] = self.id_token(client)
        answer.update(self.hostile.get("token", {}))
        return answer

    def create_token(self, body, jkt):
        """The answer to a CreateOAuth2Token whose proof (key thumbprint `jkt`) passed, or Refused."""
        client, grant = body.get("clientId"), body.get("grantType")
        if client not in CLIENTS:
            raise invalid("clientId")
        if grant == "authorization_code":
            with self.lock:
                self.exchanges.append({k: body.get(k) for k in ("code", "codeVerifier")})
                code = self.codes.pop(body.get("code"), None)
            if code is None:
                raise Refused(401, "AccessDeniedException", "AUTHCODE_EXPIRED", "authorization code expired or unknown")
            if code["client"] != client or code["redirect_uri"] != body.get("redirectUri"):
                raise invalid("clientId or redirectUri differ from the authorization's")
            verifier = body.get("codeVerifier")
            if not isinstance(verifier, str) or not VERIFIER.fullmatch(verifier):
                raise invalid("codeVerifier")
            if b64url(hashlib.sha256(verifier.encode()).digest()) != code["challenge"]:
                raise invalid("codeVerifier does not match the code_challenge")
            return self.tokens(client, jkt, True)
        if grant == "refresh_token":
            token = body.get("refreshToken")
            with self.lock:
                record = self.refresh.get(token) if isinstance(token, str) else None
                if record is None or record["expires"] < time.time():
                    raise Refused(401, "AccessDeniedException", "TOKEN_EXPIRED", "refresh token expired or unknown")
                if record["client"] != client or record["jkt"] != jkt:
                    raise invalid("refresh token not issued to this client and DPoP key")
                del self.refresh[token]
            time.sleep(float(self.hostile.get("delay", {}).get("CreateOAuth2Token", 0)))
            return self.tokens(client, jkt, False)
        raise invalid("grantType")


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

    def page(self, status, text):
        self.answer(status, text, [("Content-Type", "text/html")])

    def refuse(self, status, kind, body):
        body = {"__type": kind, **body}
        self.answer(status, body, [("x-amzn-ErrorType", kind), ("Content-Type", "application/json")])

    def body(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return dict(urllib.parse.parse_qsl(raw.decode()))
        return json.loads(raw or b"{}")

    def base(self):
        return f"http://{self.headers.get('Host', '')}"

    def authorize_problem(self, query):
        """Why an authorize request is bad, or None."""
        client, redirect = query.get("client_id"), query.get("redirect_uri", "")
        if query.get("response_type") != "code" or client not in CLIENTS:
            return "response_type or client_id"
        if query.get("code_challenge_method") != "SHA-256" or len(query.get("code_challenge", "")) != 43:
            return "code_challenge_method or code_challenge"
        if not query.get("state") or query.get("scope") != "openid":
            return "state or scope"
        if client == CLIENTS[0] and not LOOPBACK.match(redirect):
            return "redirect_uri is not a loopback URL"
        if client == CLIENTS[1] and redirect != self.base() + "/v1/sessions/confirmation":
            return "redirect_uri is not the confirmation page"
        return None

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        st = self.state
        if url.path == "/v1/token":
            st.count("CreateOAuth2Token")
            try:
                jkt = st.check_proof(self.headers.get("DPoP"), self.base() + url.path)
                if "error" in st.hostile:
                    failure = st.hostile["error"]
                    kind = failure.get("type", "AccessDeniedException")
                    return self.refuse(failure.get("status", 401), kind, failure.get("body", {}))
                try:
                    body = self.body()
                except ValueError:
                    raise invalid("body is not JSON")
                if not isinstance(body, dict):
                    raise invalid("body is not a JSON object")
                return self.answer(200, st.create_token(body, jkt))
            except Refused as e:
                return self.refuse(e.status, e.kind, {"error": e.code, "message": e.message})
        if url.path == "/v1/authorize":
            st.count("Authorize")
            form = self.body()
            problem = self.authorize_problem(form)
            if problem:
                return self.page(400, f"<p>Bad request: {html.escape(problem)}</p>")
            if form.get("action") == "deny":
                query = {"error": "access_denied", "state": form["state"]}
            else:
                code = "code-" + secrets.token_urlsafe(24)
                with st.lock:
                    st.codes[code] = {"challenge": form["code_challenge"], "redirect_uri": form["redirect_uri"],
                                      "client": form["client_id"]}
                query = {"code": code, "state": form["state"]}
            query.update(st.hostile.get("redirect", {}))
            location = form["redirect_uri"] + "?" + urllib.parse.urlencode(query)
            return self.answer(302, "", [("Location", location), ("Content-Type", "text/plain")])
        if url.path == "/_standin/hostile":
            st.hostile = self.body()
            return self.answer(200, st.hostile)
        if url.path == "/_standin/expire":
            with st.lock:
                for record in st.refresh.values():
                    record["expires"] = 0
            return self.answer(200, {})
        return self.answer(404, {"message": "not found"})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/_standin/stats":
            return self.answer(200, self.state.stats)
        if url.path == "/_standin/exchanges":
            return self.answer(200, self.state.exchanges)
        if url.path == "/v1/authorize":
            problem = self.authorize_problem(query)
            if problem:
                return self.page(400, f"<p>Bad request: {html.escape(problem)}</p>")
            fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                             for k, v in query.items())
            return self.page(200, f'<form method="post" action="/v1/authorize">{fields}<button id="allow">Allow'
                                  '</button><button name="action" value="deny" id="deny">Deny</button></form>')
        if url.path == "/v1/sessions/confirmation":
            pasted = base64.b64encode(urllib.parse.urlencode(
                {"state": query.get("state", ""), "code": query.get("code", "")}).encode()).decode()
            return self.page(200, f'<p>Paste this code:</p><code id="verification-code">{pasted}</code>')
        return self.answer(404, {"message": "not found"})


def main():
    endpoint, key, secret = sys.argv[1:4]
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id=key, aws_secret_access_key=secret)
    Handler.state = State(sts)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    print(json.dumps({"url": url, "session": SESSION, "account": ACCOUNT}), flush=True)
    sys.stdin.buffer.read()
    server.shutdown()


if __name__ == "__main__":
    main()
