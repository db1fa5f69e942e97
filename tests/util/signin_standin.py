#!/usr/bin/env python3
"""A local stand-in for AWS's federation endpoint (signin.aws.amazon.com/federation), for the
tests of -w. It checks a getSigninToken request the way AWS does: a JSON Session with sessionId,
sessionKey and sessionToken, credentials that are valid (asked of the emulator's STS with
GetCallerIdentity) and a role's (assumed-role; session-token credentials are refused, 400).
It issues a random token and remembers whose credentials it was for.

usage: signin_standin.py STS_ENDPOINT
  prints "http://127.0.0.1:PORT/federation" when ready; serves until stdin closes
  GET /federation?Action=getSigninToken&Session=...  -> {"SigninToken": "..."}
  GET /_standin/tokens/TOKEN                         -> {"access_key_id", "arn"} it was issued for
"""

import json
import secrets
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3

STS = sys.argv[1]
ISSUED = {}


class Federation(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/_standin/tokens/"):
            record = ISSUED.get(url.path.rsplit("/", 1)[1])
            return self.answer(200 if record else 404, record or {})
        query = urllib.parse.parse_qs(url.query)
        if url.path != "/federation" or query.get("Action") != ["getSigninToken"]:
            return self.answer(400, {"error": "unknown action"})
        try:
            session = json.loads(query["Session"][0])
            keys = (session["sessionId"], session["sessionKey"], session["sessionToken"])
        except (KeyError, ValueError, IndexError):
            return self.answer(400, {"error": "a Session with sessionId, sessionKey, sessionToken"})
        sts = boto3.client(
            "sts", endpoint_url=STS, region_name="us-east-1",
            aws_access_key_id=keys[0], aws_secret_access_key=keys[1], aws_session_token=keys[2],
        )
        try:
            arn = sts.get_caller_identity()["Arn"]
        except Exception as error:  # noqa: BLE001 - any refusal is AWS's 400
            return self.answer(400, {"error": str(error)})
        if ":assumed-role/" not in arn:
            return self.answer(400, {"error": "only a role's credentials can sign in"})
        token = secrets.token_urlsafe(48)
        ISSUED[token] = {"access_key_id": keys[0], "arn": arn}
        return self.answer(200, {"SigninToken": token})

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Federation)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"http://127.0.0.1:{server.server_address[1]}/federation", flush=True)
sys.stdin.read()
server.shutdown()
