"""A throwaway OIDC issuer for the emulator's self-check: an RSA key, its JWKS,
RS256 JWTs signed with it (python `cryptography`, not the emulator's verifier),
and optionally the issuer's discovery documents served on a loopback port.
"""

from __future__ import annotations

import base64
import http.server
import json
import threading
import time
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_int(n: int) -> str:
    return _b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class Issuer:
    def __init__(self, issuer: str, kid: str = "selftest-1"):
        self.issuer, self.kid = issuer, kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict:
        pub = self.key.public_key().public_numbers()
        return {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
                          "n": _b64url_int(pub.n), "e": _b64url_int(pub.e)}]}

    def token(self, **overrides) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": "selftest", "aud": "sts.amazonaws.com", "iat": now,
                  "nbf": now, "exp": now + 300, "jti": uuid.uuid4().hex}
        claims.update(overrides)
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        signing_input = (_b64url(json.dumps(header).encode()) + "." +
                         _b64url(json.dumps(claims).encode())).encode()
        sig = self.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return signing_input.decode() + "." + _b64url(sig)


class DiscoveryServer:
    """Serves an issuer's openid-configuration and JWKS on 127.0.0.1 (an OS-chosen port)."""

    def __init__(self, kid: str = "served-1"):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                docs = {"/.well-known/openid-configuration": {
                            "issuer": outer.issuer.issuer,
                            "jwks_uri": outer.issuer.issuer + "/.well-known/jwks.json"},
                        "/.well-known/jwks.json": outer.issuer.jwks()}
                doc = docs.get(self.path)
                data = json.dumps(doc).encode()
                self.send_response(200 if doc else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = Issuer(f"http://127.0.0.1:{self.server.server_address[1]}", kid)

    def __enter__(self) -> Issuer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.issuer

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
