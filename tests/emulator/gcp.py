"""Local stand-ins for what GCP workload identity federation and GCS's XML API check (no Google emulator exists).

* Google STS (`POST /__gcp/sts/v1/token`): an RFC 8693 token exchange. Checks the form (grant_type,
  requested_token_type, subject_token_type, scope, the audience's resource-name format and that it names a
  registered provider) and verifies the subject token fully with web_identity.verify: RS256 signature against the
  issuer's JWKS, iss (the provider's issuer), aud (one of the provider's allowed audiences; by default, as Google's,
  "https:" + the provider's resource name), exp / nbf, sub; and Google's own bound: exp - iat <= 24 h. Answers
  Google's JSON: {"access_token", "issued_token_type", "token_type": "Bearer", "expires_in"}, or its OAuth error
  {"error": "invalid_grant" | "invalid_request" | "invalid_target" | "unsupported_grant_type",
  "error_description"}.
* iamcredentials (`POST /__gcp/iam/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken`): the Bearer must be a
  federated token this stand-in issued, unexpired, with the cloud-platform scope (401 UNAUTHENTICATED); the
  provider must be allowed to impersonate EMAIL (403 PERMISSION_DENIED); lifetime "Ns" 1..43200. Answers
  {"accessToken", "expireTime"}.
* GCS XML (s3emu.py): `Authorization: Bearer T` is accepted for the tokens issued here while unexpired (else 401
  AuthenticationRequired, as GCS), serving the same buckets as SigV4 with HMAC keys.

Configured through /__emu/gcp (POST {"providers": {AUDIENCE: {"issuer", "allowed_audiences", "service_accounts"}},
"token_lifetime_s": N}); GET returns the counters.
"""
from __future__ import annotations

import re
import secrets
import threading
import time
import urllib.parse
from typing import Optional

import web_identity

AUDIENCE_RE = re.compile(r"^//iam\.googleapis\.com/projects/[0-9]{1,20}/locations/global/"
                         r"workloadIdentityPools/[a-z0-9][a-z0-9-]{3,31}/providers/[a-z0-9][a-z0-9-]{3,31}$")
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
SUBJECT_TYPES = ("urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token")
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
MAX_TOKEN_SPAN_S = 86400


class GcpStandIn:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.providers: dict = {}
        self.tokens: dict = {}  # token -> {"expires", "kind", "scope", "provider"}
        self.lifetime_s = 3600
        self.reset_stats()

    def reset_stats(self) -> None:
        with self.lock:
            self.stats = {"sts_exchanges": 0, "sts_rejected": 0, "last_sts_rejection": None, "last_sts_form": None,
                          "impersonations": 0, "iam_rejected": 0, "last_iam_rejection": None,
                          "gcs_bearer_ok": 0, "gcs_bearer_rejected": 0}

    def configure(self, payload: dict) -> dict:
        with self.lock:
            for aud, p in (payload.get("providers") or {}).items():
                if not AUDIENCE_RE.match(aud):
                    raise ValueError(f"not a provider resource name: {aud}")
                if p is None:
                    self.providers.pop(aud, None)
                    continue
                self.providers[aud] = {"issuer": p.get("issuer"),
                                       "allowed_audiences": list(p.get("allowed_audiences") or ["https:" + aud]),
                                       "service_accounts": list(p.get("service_accounts") or [])}
            if "token_lifetime_s" in payload:
                self.lifetime_s = int(payload["token_lifetime_s"] or 3600)
            return {"providers": self.providers, "token_lifetime_s": self.lifetime_s}

    def snapshot(self) -> dict:
        with self.lock:
            return {**self.stats, "providers": sorted(self.providers), "token_lifetime_s": self.lifetime_s}

    def issued(self) -> list:
        with self.lock:
            return list(self.tokens)

    def _issue(self, kind: str, scope: str, provider: str, lifetime: int, now: float) -> str:
        token = f"ya29.{kind}-{secrets.token_urlsafe(24)}"
        self.tokens[token] = {"expires": now + lifetime, "kind": kind, "scope": scope, "provider": provider}
        return token

    def _sts_refuse(self, status: int, error: str, why: str):
        with self.lock:
            self.stats["sts_rejected"] += 1
            self.stats["last_sts_rejection"] = f"{error}: {why}"
        return status, {"error": error, "error_description": why}

    def sts(self, form_bytes: bytes, content_type: str, jwks, now: float):
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return self._sts_refuse(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        try:
            pairs = urllib.parse.parse_qs(form_bytes.decode(), keep_blank_values=True, strict_parsing=True)
        except (ValueError, UnicodeDecodeError):
            return self._sts_refuse(400, "invalid_request", "The request body is not a form")
        if any(len(v) != 1 for v in pairs.values()):
            return self._sts_refuse(400, "invalid_request", "A parameter is repeated")
        form = {k: v[0] for k, v in pairs.items()}
        with self.lock:
            self.stats["last_sts_form"] = {k: v for k, v in form.items() if k != "subject_token"}
        if form.get("grant_type") != TOKEN_EXCHANGE:
            return self._sts_refuse(400, "unsupported_grant_type", f"Unsupported grant_type {form.get('grant_type')!r}")
        if form.get("requested_token_type") != ACCESS_TOKEN:
            return self._sts_refuse(400, "invalid_request", "requested_token_type must be an access token")
        if form.get("subject_token_type") not in SUBJECT_TYPES:
            return self._sts_refuse(400, "invalid_request", "subject_token_type must be a JWT")
        scope = form.get("scope", "")
        if not scope or any(not s.startswith("https://www.googleapis.com/auth/") for s in scope.split()):
            return self._sts_refuse(400, "invalid_scope", "scope must name Google OAuth scopes")
        audience = form.get("audience", "")
        if not AUDIENCE_RE.match(audience):
            return self._sts_refuse(400, "invalid_request", "Invalid value for \"audience\": not a workload identity "
                                    "provider resource name")
        with self.lock:
            provider = self.providers.get(audience)
        if provider is None:
            return self._sts_refuse(400, "invalid_target", "The target service indicated by the \"audience\" "
                                    "parameters is invalid")
        try:
            claims = web_identity.verify(form.get("subject_token", ""), jwks, now,
                                         audiences=tuple(provider["allowed_audiences"]))
        except web_identity.TokenRejected as rej:
            return self._sts_refuse(400, "invalid_grant", f"{rej.code}: {rej.message}")
        if provider["issuer"] and claims.get("iss") != provider["issuer"]:
            return self._sts_refuse(400, "invalid_grant", "The issuer in ID Token does not match the provider's")
        iat = claims.get("iat")
        if not isinstance(iat, (int, float)) or claims["exp"] - iat > MAX_TOKEN_SPAN_S:
            return self._sts_refuse(400, "invalid_grant", "The token's lifetime must be at most 24 hours")
        with self.lock:
            self.stats["sts_exchanges"] += 1
            token = self._issue("fed", scope, audience, self.lifetime_s, now)
        return 200, {"access_token": token, "issued_token_type": ACCESS_TOKEN, "token_type": "Bearer",
                     "expires_in": self.lifetime_s}

    def _iam_refuse(self, status: int, state: str, message: str):
        with self.lock:
            self.stats["iam_rejected"] += 1
            self.stats["last_iam_rejection"] = f"{state}: {message}"
        return status, {"error": {"code": status, "message": message, "status": state}}

    def impersonate(self, email: str, authorization: str, body: dict, now: float):
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        with self.lock:
            t = self.tokens.get(token)
        if not t or t["kind"] != "fed" or t["expires"] <= now:
            return self._iam_refuse(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        if CLOUD_PLATFORM not in t["scope"].split():
            return self._iam_refuse(403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.")
        with self.lock:
            allowed = email in self.providers.get(t["provider"], {}).get("service_accounts", [])
        if not allowed:
            return self._iam_refuse(403, "PERMISSION_DENIED", f"Permission 'iam.serviceAccounts.getAccessToken' "
                                    f"denied on resource (or it may not exist).")
        scope = body.get("scope") if isinstance(body, dict) else None
        lifetime = body.get("lifetime", "3600s") if isinstance(body, dict) else None
        if not isinstance(scope, list) or not scope or not all(isinstance(s, str) for s in scope):
            return self._iam_refuse(400, "INVALID_ARGUMENT", "scope must be a non-empty list")
        m = re.fullmatch(r"([0-9]{1,5})s", lifetime) if isinstance(lifetime, str) else None
        if not m or not 1 <= int(m.group(1)) <= 43200:
            return self._iam_refuse(400, "INVALID_ARGUMENT", "lifetime must be 1s..43200s")
        seconds = min(int(m.group(1)), self.lifetime_s)  # the stand-in's lifetime caps it (tests of expiry)
        with self.lock:
            self.stats["impersonations"] += 1
            sa_token = self._issue("sa", " ".join(scope), t["provider"], seconds, now)
        expire = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + seconds))
        return 200, {"accessToken": sa_token, "expireTime": expire}

    def bearer_ok(self, authorization: str, now: float) -> Optional[str]:
        """None when GCS would take this bearer token; else why not."""
        token = authorization[7:]
        with self.lock:
            t = self.tokens.get(token)
            ok = t is not None and t["expires"] > now
            self.stats["gcs_bearer_ok" if ok else "gcs_bearer_rejected"] += 1
        if t is None:
            return "Invalid Credentials"
        return None if ok else "The token has expired"
