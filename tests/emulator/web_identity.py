"""Web-identity token verification for the emulator's STS (AssumeRoleWithWebIdentity).

Real STS accepts a token only if it is an RS256 JWT signed by a key the issuer
publishes (``{iss}/.well-known/openid-configuration`` -> ``jwks_uri``), with
``aud`` = the registered client id (sts.amazonaws.com here) and ``exp`` in the
future. A test STS that accepts any token proves nothing about the proxy's
OIDC provider, so this one checks the same things.

Keys come from the issuer itself (discovery over HTTP, loopback issuers only:
tests never reach out) or from a JWKS registered for the issuer through the
control API (``POST /__emu/jwks``), for tests whose issuer URL is not where the
proxy listens. Registered keys win.

RSA verification only (Python's stdlib has no RSA): s^e mod n, then a byte
comparison with the PKCS#1 v1.5 encoding of the SHA-256 DigestInfo. Fine for a
test emulator; never use this to sign anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
import urllib.request
from typing import Optional

AUDIENCE = "sts.amazonaws.com"
CLOCK_LEEWAY_S = 30  # nbf/iat tolerance; exp is strict, as STS's is
FETCH_TIMEOUT_S = 5
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


class TokenRejected(Exception):
    """STS's answer for a token it refuses: HTTP status, error code, message."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


class JwksRegistry:
    """JWKS registered per issuer through the control API (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_issuer: dict[str, dict] = {}

    def set(self, issuer: str, jwks: Optional[dict]) -> None:
        if not isinstance(issuer, str) or not issuer:
            raise ValueError("issuer must be a non-empty string")
        if jwks is not None and not isinstance(jwks.get("keys"), list):
            raise ValueError("jwks must be {\"keys\": [...]} or null")
        with self._lock:
            if jwks is None:
                self._by_issuer.pop(issuer, None)
            else:
                self._by_issuer[issuer] = jwks

    def get(self, issuer: str) -> Optional[dict]:
        with self._lock:
            return self._by_issuer.get(issuer)

    def issuers(self) -> list[str]:
        with self._lock:
            return sorted(self._by_issuer)


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url_int(text: str) -> int:
    return int.from_bytes(_b64url(text), "big")


def rs256_verify(signing_input: bytes, signature: bytes, n: int, e: int) -> bool:
    """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 8.2.2), verification only."""
    k = (n.bit_length() + 7) // 8
    if len(signature) != k or k < 256:  # STS requires RSA >= 2048
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    t = _SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(em, expected)


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def _fetch_json(url: str) -> dict:
    if not _is_loopback(url):
        raise OSError(f"{url} is not a loopback address (the emulator never leaves the machine)")
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as resp:  # noqa: S310 - loopback only
        return json.loads(resp.read(1 << 20))


def discover_jwks(issuer: str) -> dict:
    """The issuer's JWKS through OIDC discovery; TokenRejected(IDPCommunicationError) if unreachable."""
    try:
        config = _fetch_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        if config.get("issuer") != issuer:
            raise TokenRejected("InvalidIdentityToken", "Issuer in the discovery document does not match")
        return _fetch_json(config["jwks_uri"])
    except TokenRejected:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TokenRejected("IDPCommunicationError",
                            f"Couldn't retrieve verification key from your identity provider ({type(exc).__name__})")


def verify(token: str, registry: JwksRegistry, now: Optional[float] = None, audiences=(AUDIENCE,)) -> dict:
    """The token's claims if STS would accept it (its aud one of `audiences`: Google's STS stand-in passes the
    provider's allowed audiences); raises TokenRejected otherwise."""
    now = time.time() if now is None else now
    invalid = lambda why: TokenRejected("InvalidIdentityToken", why)  # noqa: E731
    parts = (token or "").split(".")
    if len(parts) != 3:
        raise invalid("The web identity token is not a JWT")
    try:
        header = json.loads(_b64url(parts[0]))
        claims = json.loads(_b64url(parts[1]))
        signature = _b64url(parts[2])
    except (ValueError, TypeError):
        raise invalid("The web identity token could not be decoded") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise invalid("The web identity token could not be decoded")
    if header.get("alg") != "RS256":
        raise invalid("Unsupported token signing algorithm")
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise invalid("The token has no issuer")
    jwks = registry.get(issuer) or discover_jwks(issuer)
    kid = header.get("kid")
    keys = [k for k in jwks.get("keys", []) if isinstance(k, dict) and k.get("kty") == "RSA"
            and (kid is None or k.get("kid") == kid)]
    if not keys:
        raise invalid("No key in the issuer's JWKS matches the token's kid")
    signing_input = f"{parts[0]}.{parts[1]}".encode()
    try:
        good = any(rs256_verify(signing_input, signature, _b64url_int(k["n"]), _b64url_int(k["e"]))
                   for k in keys)
    except (KeyError, ValueError, TypeError):
        good = False
    if not good:
        raise invalid("The token's signature does not verify")
    aud = claims.get("aud")
    if not any(a in audiences for a in (aud if isinstance(aud, list) else [aud])):
        raise invalid("Incorrect token audience")
    exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat"))
    if not isinstance(exp, (int, float)):
        raise invalid("The token has no expiration")
    if exp <= now:
        raise TokenRejected("ExpiredTokenException", "Token is expired")
    if isinstance(nbf, (int, float)) and nbf > now + CLOCK_LEEWAY_S:
        raise invalid("The token is not valid yet")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise invalid("The token has no subject")
    return claims
