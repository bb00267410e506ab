"""A local stand-in for Microsoft Entra ID's token endpoint, as workload identity federation uses it (no Entra
emulator exists; Azurite's OAuth mode checks no signature).

* Token endpoint (`POST /__entra/{tenant}/oauth2/v2.0/token`): OAuth 2.0 client credentials with a client assertion
  from a federated identity credential. Checks what Entra checks, in its order, answering its AADSTS-style errors
  ({"error", "error_description": "AADSTSnnnn: …", "error_codes": [n], "timestamp", "trace_id",
  "correlation_id"}):
    - the tenant is known (400 invalid_request AADSTS90002);
    - a form body; grant_type=client_credentials (400 unsupported_grant_type AADSTS70003);
    - client_id names an application of the tenant (400 unauthorized_client AADSTS700016);
    - client_assertion_type is jwt-bearer and a client_assertion is present (400 invalid_request AADSTS50027);
    - scope is one resource's /.default and the resource is https://storage.azure.com (400 invalid_scope
      AADSTS1002012 / AADSTS500011);
    - the assertion: an RS256 JWT whose signature verifies against its issuer's JWKS (web_identity.verify; the keys
      the proxy serves, registered through /__emu/jwks), unexpired (401 invalid_client AADSTS700024 when expired or
      not yet valid), with an (iss, sub) pair one of the app's federated credentials names (401 invalid_client
      AADSTS700213 / AADSTS700211 for an unknown issuer) and an aud that credential lists (401 invalid_client
      AADSTS700212); a token whose signature fails: 401 invalid_client AADSTS50013 (Entra: invalid_grant for a
      bad assertion signature is also seen; the proxy treats both alike).
  Answers 200 {"token_type": "Bearer", "expires_in", "ext_expires_in", "access_token"}.
* Access tokens are shaped as Entra's v1 tokens for storage (aud https://storage.azure.com, iss
  https://sts.windows.net/{tenant}/, iat/nbf/exp, appid, tid; a random signature: Azurite's "--oauth basic" checks
  no signature). The issued tokens are remembered (tenant, app, scope, expiry) so that a storage-side stand-in can check a Bearer
  (`POST /__emu/entra/introspect {"token"}` → {"ok", "why"}; tests/azurite/bearer_front.mjs does so before
  forwarding to Azurite).

Configured through /__emu/entra (POST {"tenants": {TENANT: {"apps": {CLIENT_ID: {"federated_credentials":
[{"issuer", "subject", "audiences": [...]}]} | null}}}, "token_lifetime_s": N, "reset_stats": true}); GET returns
the counters. Configuration merges (apps of other runs stay), so tests use their own client ids and subjects.
"""
from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
import urllib.parse
import uuid
from typing import Optional

import web_identity

CLIENT_CREDENTIALS = "client_credentials"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
STORAGE = "https://storage.azure.com"
DEFAULT_AUDIENCE = "api://AzureADTokenExchange"
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def access_token(tenant: str, client_id: str, subject: str, now: float, lifetime: int) -> str:
    """An access token shaped as Entra's v1 tokens for Azure Storage (what Azurite's "--oauth basic" reads: aud,
    iss https://sts.windows.net/{tenant}/, iat / nbf / exp). Its signature is random bytes: this stand-in holds no
    signing key, and the stores that take its tokens check them by lookup (introspect) or not at all (Azurite)."""
    header = {"typ": "JWT", "alg": "RS256", "kid": "entra-standin"}
    claims = {"aud": "https://storage.azure.com", "iss": f"https://sts.windows.net/{tenant}/", "iat": int(now),
              "nbf": int(now), "exp": int(now + lifetime), "appid": client_id, "appidacr": "2", "idtyp": "app",
              "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tenant}/{client_id}")), "sub": subject, "tid": tenant,
              "uti": secrets.token_urlsafe(16), "ver": "1.0"}
    return ".".join([_b64url(json.dumps(header, separators=(",", ":")).encode()),
                     _b64url(json.dumps(claims, separators=(",", ":")).encode()), _b64url(secrets.token_bytes(256))])


class EntraStandIn:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tenants: dict = {}
        self.tokens: dict = {}  # token -> {"expires", "tenant", "client_id", "scope", "subject"}
        self.lifetime_s = 3600
        self.reset_stats()

    def reset_stats(self) -> None:
        with self.lock:
            self.stats = {"exchanges": 0, "rejected": 0, "last_rejection": None, "last_form": None,
                          "exchanges_by_client": {}, "rejected_by_client": {},
                          "bearer_ok": 0, "bearer_rejected": 0, "last_bearer_rejection": None}

    def configure(self, payload: dict) -> dict:
        with self.lock:
            for tenant, t in (payload.get("tenants") or {}).items():
                apps = self.tenants.setdefault(tenant, {})
                for client_id, app in ((t or {}).get("apps") or {}).items():
                    if not GUID_RE.match(client_id):
                        raise ValueError(f"not a client id (GUID): {client_id}")
                    if app is None:
                        apps.pop(client_id, None)
                        continue
                    fics = []
                    for f in app.get("federated_credentials") or []:
                        fics.append({"issuer": f["issuer"], "subject": f["subject"],
                                     "audiences": list(f.get("audiences") or [DEFAULT_AUDIENCE])})
                    apps[client_id] = {"federated_credentials": fics}
            if "token_lifetime_s" in payload:
                self.lifetime_s = int(payload["token_lifetime_s"] or 3600)
            return {"tenants": {k: sorted(v) for k, v in self.tenants.items()}, "token_lifetime_s": self.lifetime_s}

    def snapshot(self) -> dict:
        with self.lock:
            return {**self.stats, "exchanges_by_client": dict(self.stats["exchanges_by_client"]),
                    "rejected_by_client": dict(self.stats["rejected_by_client"]),
                    "tenants": sorted(self.tenants), "token_lifetime_s": self.lifetime_s}

    def issued(self) -> list:
        with self.lock:
            return list(self.tokens)

    def _refuse(self, status: int, error: str, code: int, why: str, client_id: str = ""):
        with self.lock:
            self.stats["rejected"] += 1
            self.stats["last_rejection"] = f"{error}: AADSTS{code}: {why}"
            if client_id:
                by = self.stats["rejected_by_client"]
                by[client_id] = by.get(client_id, 0) + 1
        return status, {"error": error, "error_description": f"AADSTS{code}: {why} Trace ID: {uuid.uuid4()}",
                        "error_codes": [code], "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
                        "trace_id": str(uuid.uuid4()), "correlation_id": str(uuid.uuid4()),
                        "error_uri": f"https://login.microsoftonline.com/error?code={code}"}

    def token(self, tenant: str, form_bytes: bytes, content_type: str, jwks, now: float):
        with self.lock:
            apps = self.tenants.get(tenant)
        if apps is None:
            return self._refuse(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return self._refuse(400, "invalid_request", 900144, "The request body must contain the following "
                                "parameter: 'grant_type'.")
        try:
            pairs = urllib.parse.parse_qs(form_bytes.decode(), keep_blank_values=True, strict_parsing=True)
        except (ValueError, UnicodeDecodeError):
            return self._refuse(400, "invalid_request", 900144, "The request body is not a form.")
        if any(len(v) != 1 for v in pairs.values()):
            return self._refuse(400, "invalid_request", 90015, "A parameter is duplicated.")
        form = {k: v[0] for k, v in pairs.items()}
        client_id = form.get("client_id", "")
        with self.lock:
            self.stats["last_form"] = {k: v for k, v in form.items() if k != "client_assertion"}
        if form.get("grant_type") != CLIENT_CREDENTIALS:
            return self._refuse(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type "
                                f"'{form.get('grant_type')}'.", client_id)
        app = apps.get(client_id)
        if app is None:
            return self._refuse(400, "unauthorized_client", 700016, f"Application with identifier '{client_id}' was "
                                f"not found in the directory '{tenant}'.", client_id)
        if form.get("client_assertion_type") != JWT_BEARER or not form.get("client_assertion"):
            return self._refuse(400, "invalid_request", 50027, "Invalid client assertion type or no assertion.",
                                client_id)
        scope = form.get("scope", "")
        if " " in scope.strip() or not scope.endswith("/.default"):
            return self._refuse(400, "invalid_scope", 1002012, f"The provided value for scope {scope} is not valid. "
                                "Client credential flows must have a scope value with /.default suffixed to the "
                                "resource identifier (application ID URI).", client_id)
        if scope[: -len("/.default")].rstrip("/") != STORAGE:
            return self._refuse(400, "invalid_resource", 500011, "The resource principal named "
                                f"{scope[: -len('/.default')]} was not found in the tenant.", client_id)
        fics = app["federated_credentials"]
        try:
            # Signature, exp / nbf, sub present: web_identity.verify; the audience is checked against the matching
            # federated credential below, so every audience any of them lists is admitted here.
            auds = tuple(a for f in fics for a in f["audiences"]) or (DEFAULT_AUDIENCE,)
            claims = web_identity.verify(form["client_assertion"], jwks, now, audiences=auds)
        except web_identity.TokenRejected as rej:
            if rej.code == "ExpiredTokenException" or "not valid yet" in rej.message:
                return self._refuse(401, "invalid_client", 700024, "Client assertion is not within its valid time "
                                    "range.", client_id)
            if "audience" in rej.message:
                return self._refuse(401, "invalid_client", 700212, "No matching federated identity record found for "
                                    "presented assertion audience.", client_id)
            return self._refuse(401, "invalid_client", 50013, f"Assertion failed signature validation. "
                                f"({rej.message})", client_id)
        iss, sub, aud = claims.get("iss"), claims.get("sub"), claims.get("aud")
        by_issuer = [f for f in fics if f["issuer"] == iss]
        if not by_issuer:
            return self._refuse(401, "invalid_client", 700211, f"No matching federated identity record found for "
                                f"presented assertion issuer '{iss}'.", client_id)
        by_subject = [f for f in by_issuer if f["subject"] == sub]
        if not by_subject:
            return self._refuse(401, "invalid_client", 700213, f"No matching federated identity record found for "
                                f"presented assertion subject '{sub}'.", client_id)
        audiences = aud if isinstance(aud, list) else [aud]
        if not any(a in f["audiences"] for f in by_subject for a in audiences):
            return self._refuse(401, "invalid_client", 700212, "No matching federated identity record found for "
                                "presented assertion audience.", client_id)
        with self.lock:
            self.stats["exchanges"] += 1
            by = self.stats["exchanges_by_client"]
            by[client_id] = by.get(client_id, 0) + 1
            token = access_token(tenant, client_id, sub, now, self.lifetime_s)
            self.tokens[token] = {"expires": now + self.lifetime_s, "tenant": tenant, "client_id": client_id,
                                  "scope": scope, "subject": sub}
            lifetime = self.lifetime_s
        return 200, {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                     "access_token": token}

    def introspect(self, token: str, now: float) -> dict:
        """Whether Azure Storage would take this bearer token: issued here, unexpired, for the storage resource."""
        with self.lock:
            t = self.tokens.get(token or "")
            why: Optional[str] = None
            if t is None:
                why = "the token was not issued by the Entra stand-in"
            elif t["expires"] <= now:
                why = "Lifetime validation failed. The token is expired."
            elif not t["scope"].startswith(STORAGE):
                why = "Audience validation failed."
            self.stats["bearer_ok" if why is None else "bearer_rejected"] += 1
            if why:
                self.stats["last_bearer_rejection"] = why
        return {"ok": why is None, "why": why, "client_id": t and t["client_id"]}
