"""AssumeRole verification for the emulator's STS.

Real STS accepts ``AssumeRole`` only when the request is SigV4-signed (service
``sts``) by a known key, its parameters are valid, the role exists, its trust
policy admits the caller, the ``sts:ExternalId`` condition (if the policy has
one) equals the ``ExternalId`` sent, and ``DurationSeconds`` is within 900 s and
the role's MaxSessionDuration. A test STS that skips any of these cannot catch
a proxy that gets them wrong, so this one checks them all, with STS's codes:

| what | status | Code |
|---|---|---|
| no Authorization header | 403 | MissingAuthenticationToken |
| scope not `DATE/REGION/sts/aws4_request`, host unsigned | 400 | IncompleteSignature |
| unknown key (static `--key` keys, or an unexpired session STS issued whose token the request carries) | 403 | InvalidClientTokenId |
| a session (role chaining) asking for more than 3600 s | 400 | ValidationError |
| x-amz-date more than 15 min off | 403 | SignatureDoesNotMatch (Signature expired) |
| wrong signature | 403 | SignatureDoesNotMatch |
| RoleSessionName, ExternalId, DurationSeconds malformed or out of range | 400 | ValidationError |
| unknown role, caller not trusted, ExternalId wrong or missing | 403 | AccessDenied |

Roles are a table (``RoleTable``): the built-in ``DEFAULT_ROLES`` plus any set
through the control API (``POST /__emu/roles``). Credentials issued for a role
are limited to the role's buckets on the S3 side (s3emu.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import time
from typing import Callable, Optional

import sigv4_verify as sv

MIN_DURATION_S, MAX_DURATION_S = 900, 43200
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)

# The role the e2e tests and the self-check assume: a partner's reader role whose trust policy demands this
# ExternalId (the README's and config/demo.json's example).
PARTNER_ROLE_ARN = "arn:aws:iam::210987654321:role/partner/s3-edge-proxy-reader"
PARTNER_EXTERNAL_ID = "s3p-partner-7f3a:demo"
DEFAULT_ROLES = [{
    "arn": PARTNER_ROLE_ARN,
    "external_id": PARTNER_EXTERNAL_ID,   # the trust policy's sts:ExternalId condition (None: no condition)
    "principals": None,                   # access key ids / role ARNs (chaining) the trust admits (None: any key)
    "buckets": ["private-bucket"],        # what the role's permissions policy lets it read
    "max_session_s": MAX_DURATION_S,      # the role's MaxSessionDuration
}]


class RoleRejected(Exception):
    """STS's answer to an AssumeRole it refuses: HTTP status, error code, message."""

    def __init__(self, code: str, message: str, status: int = 403):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


class RoleTable:
    """Roles by ARN (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._roles: dict[str, dict] = {}
        for role in DEFAULT_ROLES:
            self.set(role)

    def set(self, role: dict) -> dict:
        arn = role.get("arn")
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            raise ValueError("a role needs an \"arn\"")
        ext = role.get("external_id")
        if ext is not None and not isinstance(ext, str):
            raise ValueError("external_id must be a string or null")
        entry = {"arn": arn, "external_id": ext, "principals": role.get("principals"),
                 "buckets": list(role.get("buckets") or []),
                 "max_session_s": int(role.get("max_session_s") or 3600)}
        with self._lock:
            self._roles[arn] = entry
        return entry

    def delete(self, arn: str) -> None:
        with self._lock:
            self._roles.pop(arn, None)

    def get(self, arn: str) -> Optional[dict]:
        with self._lock:
            return self._roles.get(arn)

    def all(self) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._roles.values()]


def verify_signature(method: str, raw_target: str, headers, body: bytes, *, region: str,
                     lookup: Callable[[str], Optional[str]], now: Optional[float] = None) -> str:
    """The access key id a signed STS request was signed with; raises RoleRejected.

    `lookup` maps an access key id to its secret (None: unknown)."""
    now = time.time() if now is None else now
    auth = sv.header_value(headers, "authorization")
    if auth is None:
        raise RoleRejected("MissingAuthenticationToken", "Request is missing Authentication Token")
    try:
        fields = sv._parse_authorization(auth)
    except sv.SigV4Error as err:
        raise RoleRejected("IncompleteSignature", err.message, 400)
    amz_date = sv.header_value(headers, "x-amz-date") or ""
    try:
        signed_at = sv.parse_amz_date(amz_date)
    except ValueError:
        raise RoleRejected("IncompleteSignature", "x-amz-date is missing or malformed", 400)
    parts = fields["Credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or parts[3] != "sts" or parts[2] != region \
            or parts[1] != amz_date[:8]:
        raise RoleRejected("IncompleteSignature", f"Credential should be scoped to a valid region, service sts "
                           f"and date: '{'/'.join(parts[1:])}'", 400)
    signed = fields["SignedHeaders"].split(";")
    if "host" not in signed or signed != sorted(signed):
        raise RoleRejected("IncompleteSignature", "host must be signed; SignedHeaders sorted", 400)
    secret = lookup(parts[0])
    if secret is None:
        raise RoleRejected("InvalidClientTokenId", "The security token included in the request is invalid.")
    if abs(now - signed_at) > sv.MAX_SKEW_SECONDS:
        raise RoleRejected("SignatureDoesNotMatch", f"Signature expired: {amz_date} is now earlier or later "
                           "than the allowed 15 minutes")
    path, query = sv.split_target(raw_target)
    # STS is not S3: the canonical URI is the path as sent, encoded once more.
    creq = "\n".join([method, sv.aws_encode((path or "/").encode("latin-1"), keep_slash=True),
                      sv.canonical_query(query), sv.canonical_headers(headers, signed), ";".join(signed),
                      hashlib.sha256(body).hexdigest()])
    scope = "/".join(parts[1:])
    expected = sv.hmac_hex(sv.signing_key(secret, *parts[1:4]), sv.string_to_sign(amz_date, scope, creq))
    if not hmac.compare_digest(expected, fields["Signature"]):
        raise RoleRejected("SignatureDoesNotMatch", "The request signature we calculated does not match the "
                           "signature you provided. Check your AWS Secret Access Key and signing method.")
    return parts[0]


def check_request(params: dict, caller: str, roles: RoleTable, chained: bool = False) -> dict:
    """The role `caller` may assume with these parameters; raises RoleRejected as STS would. `caller`: a static
    key's id, or (`chained`: a session calling, role chaining) the ARN of the role that session is of."""
    arn = params.get("RoleArn") or ""
    session = params.get("RoleSessionName") or ""
    if not arn:
        raise RoleRejected("ValidationError", "1 validation error detected: Value null at 'roleArn' failed to "
                           "satisfy constraint: Member must not be null", 400)
    if not _SESSION_NAME.fullmatch(session):
        raise RoleRejected("ValidationError", f"1 validation error detected: Value '{session}' at "
                           "'roleSessionName' failed to satisfy constraint: Member must satisfy regular "
                           "expression pattern: [\\w+=,.@-]* and length 2..64", 400)
    ext = params.get("ExternalId")
    if ext is not None and not _EXTERNAL_ID.fullmatch(ext):
        raise RoleRejected("ValidationError", "1 validation error detected: Value at 'externalId' failed to "
                           "satisfy constraint: Member must satisfy regular expression pattern: "
                           "[\\w+=,.@:\\/-]* and length 2..1224", 400)
    duration_text = params.get("DurationSeconds", "3600")
    if not duration_text.isdigit() or not MIN_DURATION_S <= int(duration_text) <= MAX_DURATION_S:
        raise RoleRejected("ValidationError", f"1 validation error detected: Value '{duration_text}' at "
                           "'durationSeconds' failed to satisfy constraint: Member must have value between "
                           f"{MIN_DURATION_S} and {MAX_DURATION_S}", 400)
    who = caller if chained else f"arn:aws:iam::000000000000:user/{caller}"
    denied = RoleRejected("AccessDenied", f"User: {who} is not authorized to perform: sts:AssumeRole on resource: {arn}")
    role = roles.get(arn)
    if role is None:
        raise denied
    if role["principals"] is not None and caller not in role["principals"]:
        raise denied
    if role["external_id"] is not None and not hmac.compare_digest((ext or "").encode(),
                                                                     role["external_id"].encode()):
        raise denied  # STS says no more than this: a wrong ExternalId looks like any other untrusted caller
    if chained and int(duration_text) > 3600:
        raise RoleRejected("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit "
                           "for roles assumed by role chaining.", 400)
    if int(duration_text) > role["max_session_s"]:
        raise RoleRejected("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration "
                           "set for this role.", 400)
    return role
