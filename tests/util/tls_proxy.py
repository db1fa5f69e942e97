#!/usr/bin/env python3
"""A TLS-terminating stand-in for a corporate TLS-inspecting proxy, in front of the emulator.

It makes a private CA and a certificate for 127.0.0.1 and localhost signed by it, writes the CA
to DIR/ca.pem (the bundle a user would be given), listens on 127.0.0.1 (an ephemeral port) and
relays each decrypted connection, byte for byte, to the plain-HTTP emulator at TARGET
(host:port), so the emulator sees (and checks the signature of) exactly what the client sent.

usage: tls_proxy.py DIR TARGET
prints one JSON line when ready: {"url": "https://127.0.0.1:PORT", "ca": "DIR/ca.pem"}, then
serves until stdin closes (the test that started it ended, however it ended). A line "stats" on
stdin prints {"handshakes": n} (completed TLS handshakes since the start or the last "reset").
"""

import datetime
import ipaddress
import json
import os
import socket
import ssl
import sys
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def certificate(subject, issuer, public_key, signing_key, ca, sans=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def make_certificates(directory):
    """The CA (written as ca.pem) and the server's certificate chain and key files."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aws-runas test proxy CA")])
    ca = certificate(ca_name, ca_name, ca_key.public_key(), ca_key, True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    sans = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    leaf = certificate(name, ca_name, key.public_key(), ca_key, False, sans)
    pem = serialization.Encoding.PEM
    paths = {n: os.path.join(directory, n) for n in ("ca.pem", "server.pem", "server.key")}
    with open(paths["ca.pem"], "wb") as f:
        f.write(ca.public_bytes(pem))
    with open(paths["server.pem"], "wb") as f:
        f.write(leaf.public_bytes(pem) + ca.public_bytes(pem))
    with open(paths["server.key"], "wb") as f:
        f.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths


def pump(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def relay(client, target):
    try:
        upstream = socket.create_connection(target)
        # Relayed writes go out at once (no 40 ms wait for a delayed ACK, as the real thing).
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        client.close()
        return
    threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
    pump(client, upstream)


HANDSHAKES = [0]
LOCK = threading.Lock()


def main():
    directory, target = sys.argv[1], sys.argv[2]
    host, port = target.rsplit(":", 1)
    paths = make_certificates(directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(paths["server.pem"], paths["server.key"])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def serve():
        while True:
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            try:
                client = context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError):
                # A client that refuses our certificate: exactly what some tests expect.
                raw.close()
                continue
            with LOCK:
                HANDSHAKES[0] += 1
            threading.Thread(target=relay, args=(client, (host, int(port))), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    print(json.dumps({"url": f"https://127.0.0.1:{listener.getsockname()[1]}", "ca": paths["ca.pem"]}), flush=True)
    for line in sys.stdin:  # until the test closes our stdin
        with LOCK:
            if line.strip() == "stats":
                print(json.dumps({"handshakes": HANDSHAKES[0]}), flush=True)
            elif line.strip() == "reset":
                HANDSHAKES[0] = 0
    listener.close()


if __name__ == "__main__":
    main()
