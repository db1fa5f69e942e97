"""The "browser" of tests/sso/callback.rs, opened by aws-runas with the authorize URL (argv[1]);
writes what it saw to argv[2] as JSON.

Before it logs in, it holds the callback port as any local process could: ten connections that
send nothing and one that sends its head a byte at a time. Then a callback with a wrong state
(its status, and how long it took), then the stand-in's authorize form posted as the Allow
button would, its redirect followed to the callback (status, time), and whether the listener is
closed a second later. Every wait is bounded (10 s a request, 2 s for the close)."""

import http.client
import json
import os
import socket
import sys
import threading
import time
import urllib.parse


def get(port, target):
    """The status of GET target on the callback port, and how long it took."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", target)
        status = conn.getresponse().status
    finally:
        conn.close()
    return status, time.monotonic() - started


def trickle(sock, stop):
    """Sends a head a byte every 100 ms until stopped (at most 40 bytes)."""
    for byte in b"GET /oauth/callback?code=slow&state=x HTTP/1.1\r\n"[:40]:
        if stop.wait(0.1):
            return
        try:
            sock.send(bytes([byte]))
        except OSError:
            return


def closed(port):
    """Whether nothing listens on the port any more, within 2 s."""
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return True
        time.sleep(0.05)
    return False


def login(url, seen):
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
    callback = urllib.parse.urlparse(query["redirect_uri"])
    port = callback.port
    held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(10)]
    slow = socket.create_connection(("127.0.0.1", port), timeout=10)
    stop = threading.Event()
    threading.Thread(target=trickle, args=(slow, stop), daemon=True).start()
    try:
        seen["wrong"], seen["wrong_took"] = get(port, f"{callback.path}?code=x&state=wrong")
        authorize = urllib.parse.urlparse(url)
        conn = http.client.HTTPConnection(authorize.netloc, timeout=10)
        conn.request("POST", "/authorize", body=urllib.parse.urlencode(query),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        answer = conn.getresponse()
        location = urllib.parse.urlparse(answer.getheader("Location"))
        conn.close()
        seen["right"], seen["right_took"] = get(port, f"{location.path}?{location.query}")
        seen["closed_after"] = closed(port)
    finally:
        stop.set()
        for sock in held + [slow]:
            sock.close()


def main():
    seen = {}
    try:
        login(sys.argv[1], seen)
    except Exception as e:  # the report says what failed; the test reads it
        seen["error"] = repr(e)
    # Written whole, then renamed: the test waits for the file to appear.
    with open(sys.argv[2] + ".tmp", "w") as out:
        json.dump(seen, out)
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])


main()
