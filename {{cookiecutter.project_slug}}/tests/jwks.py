"""A stand-in identity provider: RSA keys made here and a JWKS served on loopback.

``JwksServer`` serves the public half of its current keys at ``/jwks.json`` from
a thread, and can be told to fail (``down``) or to hang (``hang``), to test
what the service does when its provider misbehaves.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://issuer.example.test"
AUDIENCE = "{{ cookiecutter.project_slug }}-tests"
HANG_SECONDS = 10.0


class SigningKey:
    """An RSA key pair with a ``kid``."""

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, Any]:
        public_key = self.private.public_key()
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public_key))
        return {**public, "kid": self.kid, "use": "sig", "alg": "RS256"}


KEYS = {kid: SigningKey(kid) for kid in ("key-1", "key-2")}


def sign(
    claims: dict[str, Any],
    kid: str = "key-1",
    lifetime: timedelta = timedelta(minutes=5),
) -> str:
    """A token for ``claims`` (iss, aud and exp filled in unless given)."""
    now = datetime.now(UTC)
    payload = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + lifetime}
    return jwt.encode(
        {**payload, **claims},
        KEYS[kid].private,
        algorithm="RS256",
        headers={"kid": kid},
    )


class JwksServer:
    """Serves ``published`` keys' JWKS; ``mode`` is ok, down (500) or hang."""

    def __init__(self) -> None:
        self.published = ["key-1"]
        self.mode = "ok"
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                if server.mode == "hang":
                    time.sleep(HANG_SECONDS)
                if server.mode != "ok":
                    self.send_error(500)
                    return
                keys = [KEYS[kid].jwk() for kid in server.published]
                body = json.dumps({"keys": keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # serve_forever polls for shutdown every 0.5 s unless told otherwise: the
        # session's end would wait that long in each process.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"

    def reset(self) -> None:
        self.published, self.mode, self.fetches = ["key-1"], "ok", 0

    def settings(self) -> dict[str, Any]:
        return {
            "JWT_ISSUER": ISSUER,
            "JWT_AUDIENCE": AUDIENCE,
            "JWT_JWKS_URL": self.url,
        }

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
