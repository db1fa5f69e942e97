#!/usr/bin/env python3
"""An HTTP proxy for the tests of the instance-metadata endpoint: forwards every request to
TARGET (host:port) with an X-Forwarded-For header added, as a proxy between a container and the
host would. The endpoint refuses such a token PUT (403), so a client behind it falls back to
IMDSv1.

usage: xff_proxy.py TARGET    prints "http://127.0.0.1:PORT/" when ready; serves until stdin closes
"""

import http.client
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGET = sys.argv[1]


class Forward(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        headers["Host"] = TARGET
        headers["X-Forwarded-For"] = self.client_address[0]
        connection = http.client.HTTPConnection(TARGET, timeout=10)
        connection.request(self.command, self.path, body=body, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        connection.close()

    do_GET = do_PUT = do_POST = forward

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"http://127.0.0.1:{server.server_address[1]}/", flush=True)
sys.stdin.read()
server.shutdown()
