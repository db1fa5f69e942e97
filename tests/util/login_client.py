#!/usr/bin/env python3
"""A client of the sign-in stand-in (tests/emulator/login_standin.py) doing what `aws login` (AWS
CLI v2, which the test venv lacks) does, as LOGIN-PROTOCOL.md section 5 says, so that the tests
can start from a session made the CLI's way; and single token calls with a DPoP proof that can be
spoiled on purpose, for the tests of the stand-in's checks.

    login_client.py login URL CACHE_DIR [--cross-device] [--expired]
        the whole flow (authorize page, its Allow form, the redirect or the pasted code, the code
        exchanged with a proof by a new P-256 key); writes CACHE_DIR/<sha256 of the ARN>.json as
        the CLI does (expiresAt in the past with --expired); prints {"path": ..., "cache": ...}
    login_client.py browse AUTHORIZE_URL [REPORT] [--deny]
        what a person's browser does with an authorize URL aws-runas printed or opened (the
        BROWSER of the login tests that need no Chromium): the page, its Allow (or Deny) form, the
        redirect followed to the loopback callback or to the confirmation page; prints what it saw
        as JSON (and writes it to REPORT, whole, then renamed): url, allow, landed (the redirect
        without its query), code, state, error (its query), status and text (the answer there),
        verification_code (the confirmation page's)
    login_client.py token URL KEY_PEM BODY_JSON [--htu U] [--jti J] [--iat N] [--typ T] [--alg A]
                    [--bad-signature] [--no-proof]
        one POST /v1/token with BODY_JSON and a proof signed by KEY_PEM (an EC PRIVATE KEY PEM);
        prints {"status": N, "body": ...}
"""

import base64
import datetime
import hashlib
import http.client
import json
import os
import secrets
import sys
import time
import urllib.parse
import uuid

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def proof(key, htu, jti=None, iat=None, typ="dpop+jwt", alg="ES256", bad_signature=False):
    """A DPoP proof as botocore's _build_dpop_header makes it (LOGIN-PROTOCOL.md section 4)."""
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "EC", "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big")),
           "crv": "P-256"}
    header = {"typ": typ, "alg": alg, "jwk": jwk}
    payload = {"htm": "POST", "htu": htu, "iat": int(time.time()) if iat is None else iat,
               "jti": jti or str(uuid.uuid4())}
    signing_input = ".".join(b64url(json.dumps(p, separators=(",", ":")).encode()) for p in (header, payload))
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    if bad_signature:
        s = s ^ 1
    return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def request(url, method, path, body=None, headers=None):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.getheader("Location"), response.read().decode()


def token(url, key, body, **spoil):
    headers = {"Content-Type": "application/json"}
    if not spoil.pop("no_proof", False):
        headers["DPoP"] = proof(key, spoil.pop("htu", None) or url + "/v1/token", **spoil)
    status, _, answer = request(url, "POST", "/v1/token", json.dumps(body), headers)
    return status, json.loads(answer or "{}")


def pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def login(url, cache_dir, cross_device, expired):
    client = "arn:aws:signin:::devtools/" + ("cross-device" if cross_device else "same-device")
    redirect = url + "/v1/sessions/confirmation" if cross_device else "http://127.0.0.1:9/oauth/callback"
    state = str(uuid.uuid4())
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    verifier = "".join(secrets.choice(alphabet) for _ in range(64))
    challenge = b64url(hashlib.sha256(verifier.encode()).digest())
    query = urllib.parse.urlencode({"response_type": "code", "client_id": client, "state": state,
                                    "code_challenge_method": "SHA-256", "scope": "openid",
                                    "redirect_uri": redirect}, quote_via=urllib.parse.quote, safe="-._~")
    query += "&code_challenge=" + challenge
    status, _, page = request(url, "GET", "/v1/authorize?" + query)
    assert status == 200 and 'id="allow"' in page, (status, page)
    form = urllib.parse.urlencode(dict(urllib.parse.parse_qsl(query)))
    status, location, _ = request(url, "POST", "/v1/authorize", form,
                                  {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302 and location.startswith(redirect + "?"), (status, location)
    answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    if cross_device:  # the browser shows the code; the person pastes it
        status, _, page = request(url, "GET", location[len(url):])
        pasted = page.split('id="verification-code">')[1].split("<")[0]
        answer = dict(urllib.parse.parse_qsl(base64.b64decode(pasted).decode()))
    assert answer.get("state") == state, answer
    key = ec.generate_private_key(ec.SECP256R1())
    status, out = token(url, key, {"clientId": client, "grantType": "authorization_code", "code": answer["code"],
                                   "codeVerifier": verifier, "redirectUri": redirect})
    assert status == 200, (status, out)
    claims = json.loads(base64.urlsafe_b64decode(out["idToken"].split(".")[1] + "=="))
    now = datetime.datetime.now(datetime.timezone.utc)
    expires = now + datetime.timedelta(seconds=-60 if expired else out["expiresIn"])
    cache = {"accessToken": {**out["accessToken"], "accountId": claims["sub"].split(":")[4],
                             "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ")},
             "tokenType": out["tokenType"], "clientId": client, "refreshToken": out["refreshToken"],
             "idToken": out["idToken"], "dpopKey": pem(key)}
    os.makedirs(cache_dir, exist_ok=True)
    path = os.path.join(cache_dir, hashlib.sha256(claims["sub"].encode()).hexdigest() + ".json")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(cache, f)
    return {"path": path, "cache": cache}


def browse(url, deny=False):
    """What a browser sees following `url` (see the usage above), as a dict; bounded: 30 s a request."""
    parts = urllib.parse.urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}"
    status, _, page = request(base, "GET", f"{parts.path}?{parts.query}")
    seen = {"url": url, "allow": 'id="allow"' in page, "status": status}
    if status != 200:
        return seen
    form = dict(urllib.parse.parse_qsl(parts.query))
    if deny:
        form["action"] = "deny"
    status, location, _ = request(base, "POST", "/v1/authorize", urllib.parse.urlencode(form),
                                  {"Content-Type": "application/x-www-form-urlencoded"})
    seen["status"] = status
    if status != 302:
        return seen
    landed = urllib.parse.urlsplit(location)
    seen["landed"] = f"{landed.scheme}://{landed.netloc}{landed.path}"
    seen.update((k, v) for k, v in urllib.parse.parse_qsl(landed.query) if k in ("code", "state", "error"))
    try:
        status, _, text = request(f"{landed.scheme}://{landed.netloc}", "GET", f"{landed.path}?{landed.query}")
    except OSError as e:
        seen["status"], seen["text"] = 0, repr(e)
        return seen
    seen["status"], seen["text"] = status, text
    if 'id="verification-code">' in text:
        seen["verification_code"] = text.split('id="verification-code">')[1].split("<")[0]
    return seen


def report(seen, path):
    """Prints `seen` as JSON, and writes it to `path` (when given) whole, then renamed."""
    text = json.dumps(seen)
    print(text, flush=True)
    if path:
        with open(path + ".tmp", "w") as out:
            out.write(text)
        os.replace(path + ".tmp", path)


def main():
    args = sys.argv[1:]
    if args[0] == "browse":
        rest = [a for a in args[1:] if a != "--deny"]
        report(browse(rest[0], "--deny" in args), rest[1] if len(rest) > 1 else None)
        return
    if args[0] == "login":
        print(json.dumps(login(args[1], args[2], "--cross-device" in args, "--expired" in args)))
        return
    url, key_pem, body = args[1:4]
    key = serialization.load_pem_private_key(key_pem.encode(), None)
    spoil, rest = {}, args[4:]
    while rest:
        flag = rest.pop(0)
        if flag in ("--bad-signature", "--no-proof"):
            spoil[flag[2:].replace("-", "_")] = True
        else:
            value = rest.pop(0)
            spoil[flag[2:]] = int(value) if flag == "--iat" else value
    status, out = token(url, key, json.loads(body), **spoil)
    print(json.dumps({"status": status, "body": out}))


if __name__ == "__main__":
    main()
