"""SigV4 verification for the S3 emulator: canonicalisation, signature checks,
aws-chunked decoding.  Pure functions over wire data; no sockets, no globals.

Conventions
-----------
* Every string argument is *wire text*: the raw bytes of the request line or a
  header value decoded as ISO-8859-1 (which is what http.server hands us).  The
  canonical request is therefore hashed as ISO-8859-1, which reproduces the
  exact bytes the client put on the wire - UTF-8 header values included.
* S3 rules, not the generic SigV4 ones: the URI path is decoded once and
  re-encoded once (no double encoding) and is NOT normalised (`//`, `.`, `..`
  are significant in S3 keys).

Run ``python3 sigv4_verify.py`` to check the code against AWS's published
vectors (the generic SigV4 test suite and the S3 API reference examples).
"""

from __future__ import annotations

import base64
import calendar
import email.utils
import hashlib
import hmac
import re
import time
import zlib
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional
from urllib.parse import quote, unquote_to_bytes

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
STREAMING_MODES = (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER)
MAX_SKEW_SECONDS = 15 * 60
MAX_PRESIGN_EXPIRES = 7 * 24 * 3600
_HEX64 = re.compile(r"[0-9a-f]{64}")
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")


class SigV4Error(Exception):
    """A rejection, carrying what the S3-style XML error document needs."""

    def __init__(self, code: str, message: str, status: int = 403, **extra: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra  # extra XML elements, e.g. CanonicalRequest


@dataclass
class Credential:
    secret: str
    token: Optional[str] = None  # set for STS-issued (temporary) credentials
    expiration: Optional[float] = None  # epoch seconds


@dataclass
class AuthInfo:
    """What a verified request was signed with; also seeds aws-chunked checks."""

    kind: str  # "header" or "query"
    akid: str
    amz_date: str
    scope: str
    signing_key: bytes
    signature: str
    payload_hash: str
    temporary: bool = False
    signed_headers: list = field(default_factory=list)


# --------------------------------------------------------------------------
# Canonicalisation
# --------------------------------------------------------------------------

def aws_encode(raw: bytes, keep_slash: bool = False) -> str:
    """RFC 3986 encoding as AWS wants it: A-Za-z0-9-._~ literal, rest %XX."""
    # urllib.parse.quote always keeps A-Za-z0-9_.-~ and emits uppercase hex.
    return quote(raw, safe="/" if keep_slash else "")


def split_target(raw_target: str) -> tuple[str, str]:
    """Split a raw request-target into (path, query); strips absolute-form."""
    if raw_target.startswith(("http://", "https://")):
        rest = raw_target.split("://", 1)[1]
        slash = rest.find("/")
        raw_target = rest[slash:] if slash >= 0 else "/"
    path, _, query = raw_target.partition("?")
    return path, query


def canonical_uri(raw_path: str) -> str:
    if not raw_path:
        return "/"
    return aws_encode(unquote_to_bytes(raw_path.encode("latin-1")), keep_slash=True)


def query_pairs(raw_query: str) -> list[tuple[str, str]]:
    """Decoded (name, value) pairs of a raw query, wire text in and out.

    '+' is NOT treated as a space: SigV4 signers encode a space as %20 and a
    plus as %2B, so a literal '+' on the wire can only mean '+'.
    """
    pairs = []
    for part in raw_query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append((unquote_to_bytes(name.encode("latin-1")).decode("latin-1"),
                      unquote_to_bytes(value.encode("latin-1")).decode("latin-1")))
    return pairs


def canonical_query(raw_query: str, exclude: Iterable[str] = ()) -> str:
    excluded = set(exclude)
    encoded = sorted(
        (aws_encode(n.encode("latin-1")), aws_encode(v.encode("latin-1")))
        for n, v in query_pairs(raw_query)
        if n not in excluded
    )
    return "&".join(f"{n}={v}" for n, v in encoded)


_SPACE_RUNS = re.compile(" {2,}")


def trim_header_value(value: str) -> str:
    """SigV4 "Trimall": trim the ends and collapse runs of spaces to one space.

    Only ASCII space (and, at the ends, tab: HTTP's optional whitespace) counts.
    Not str.split(): values arrive decoded as latin-1, and Python's notion of
    whitespace includes U+0085 and U+00A0, i.e. the bytes 0x85 and 0xA0 inside
    UTF-8 text such as "Å" (C3 85) or a no-break space (C2 A0), which SigV4
    leaves alone.
    """
    return _SPACE_RUNS.sub(" ", value.strip(" \t"))


def canonical_headers(headers: Iterable[tuple[str, str]], signed: list[str]) -> str:
    """name:value lines for the signed headers; repeated headers joined by ','."""
    values: dict[str, list[str]] = {}
    for name, value in headers:
        values.setdefault(name.strip().lower(), []).append(trim_header_value(value))
    return "".join(f"{name}:{','.join(values.get(name, []))}\n" for name in signed)


def canonical_request(method: str, raw_target: str, headers, signed: list[str],
                      payload_hash: str, presigned: bool = False) -> str:
    path, query = split_target(raw_target)
    return "\n".join([
        method,
        canonical_uri(path),
        canonical_query(query, exclude=("X-Amz-Signature",) if presigned else ()),
        canonical_headers(headers, signed),
        ";".join(signed),
        payload_hash,
    ])


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def hmac_hex(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("latin-1"), hashlib.sha256).hexdigest()


def string_to_sign(amz_date: str, scope: str, creq: str) -> str:
    return "\n".join([ALGORITHM, amz_date, scope, sha256_hex(creq.encode("latin-1"))])


def sign(secret: str, amz_date: str, region: str, service: str, creq: str) -> str:
    """Signature over a canonical request (used by the self-check vectors)."""
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    return hmac_hex(signing_key(secret, amz_date[:8], region, service),
                    string_to_sign(amz_date, scope, creq))


# --------------------------------------------------------------------------
# Parsing the two SigV4 carriers
# --------------------------------------------------------------------------

def header_value(headers, name: str) -> Optional[str]:
    name = name.lower()
    found = [v for n, v in headers if n.lower() == name]
    return ",".join(found) if found else None


def parse_amz_date(value: str) -> float:
    if _AMZ_DATE.fullmatch(value or ""):
        return calendar.timegm(time.strptime(value, "%Y%m%dT%H%M%SZ"))
    raise ValueError(value)


def _parse_authorization(value: str) -> dict:
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise SigV4Error("InvalidRequest", "The authorization mechanism you have provided is not "
                         "supported. Please use AWS4-HMAC-SHA256.", 400)
    fields = {}
    for item in rest.split(","):
        k, sep, v = item.strip().partition("=")
        if sep:
            fields[k] = v.strip()
    if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
        raise SigV4Error("AuthorizationHeaderMalformed", "The authorization header is malformed; "
                         "it needs Credential, SignedHeaders and Signature.", 400)
    return fields


def _check_scope(credential: str, amz_date: str, region: str, carrier: str) -> tuple[str, str]:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise SigV4Error(carrier, f"the Credential is mal-formed; expecting "
                         f"\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".", 400)
    akid, date, cred_region, service, _ = parts
    if cred_region != region:
        raise SigV4Error(carrier, f"the region '{cred_region}' is wrong; expecting '{region}'",
                         400, Region=region)
    if service != "s3":
        raise SigV4Error(carrier, f"the service '{service}' is wrong; expecting 's3'", 400)
    if date != amz_date[:8]:
        raise SigV4Error(carrier, f"Invalid credential date \"{date}\". This date is not the "
                         f"same as X-Amz-Date: \"{amz_date[:8]}\".", 400)
    return akid, "/".join(parts[1:])


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------

def is_signed(raw_target: str, headers) -> bool:
    """Whether the request carries any authentication at all."""
    if header_value(headers, "authorization") is not None:
        return True
    names = {n for n, _ in query_pairs(split_target(raw_target)[1])}
    return bool(names & {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                         "AWSAccessKeyId", "Signature"})


def verify(method: str, raw_target: str, headers, *, region: str,
           lookup: Callable[[str], Optional[Credential]], now: Optional[float] = None,
           max_skew: int = MAX_SKEW_SECONDS) -> AuthInfo:
    """Verify a signed S3 request (header or presigned).  Raises SigV4Error.

    The body is not examined here; the caller checks the declared payload hash
    (``AuthInfo.payload_hash``) against what it receives, see check_payload().
    """
    now = time.time() if now is None else now
    query = dict(query_pairs(split_target(raw_target)[1]))
    auth_header = header_value(headers, "authorization")
    presigned = auth_header is None

    if presigned:
        carrier = "AuthorizationQueryParametersError"
        if "X-Amz-Algorithm" not in query:
            raise SigV4Error("InvalidRequest", "Query-string authentication version 2 is not "
                             "supported. Please use AWS4-HMAC-SHA256.", 400)
        if query["X-Amz-Algorithm"] != ALGORITHM:
            raise SigV4Error(carrier, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"", 400)
        missing = [p for p in ("X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                               "X-Amz-SignedHeaders", "X-Amz-Signature") if p not in query]
        if missing:
            raise SigV4Error(carrier, "Query-string authentication requires the " +
                             ", ".join(missing) + " parameter(s).", 400)
        credential, amz_date = query["X-Amz-Credential"], query["X-Amz-Date"]
        signed = query["X-Amz-SignedHeaders"].split(";")
        provided = query["X-Amz-Signature"]
        token = query.get("X-Amz-Security-Token")
        payload_hash = header_value(headers, "x-amz-content-sha256") or UNSIGNED_PAYLOAD
    else:
        carrier = "AuthorizationHeaderMalformed"
        fields = _parse_authorization(auth_header)
        credential, signed, provided = (fields["Credential"], fields["SignedHeaders"].split(";"),
                                        fields["Signature"])
        amz_date = header_value(headers, "x-amz-date")
        if amz_date is None and header_value(headers, "date"):
            parsed = email.utils.parsedate_tz(header_value(headers, "date"))
            if parsed:
                amz_date = time.strftime("%Y%m%dT%H%M%SZ",
                                         time.gmtime(email.utils.mktime_tz(parsed)))
        if amz_date is None:
            raise SigV4Error("AccessDenied", "AWS authentication requires a valid Date or "
                             "x-amz-date header")
        token = header_value(headers, "x-amz-security-token")
        payload_hash = header_value(headers, "x-amz-content-sha256")
        if payload_hash is None:
            raise SigV4Error("InvalidRequest", "Missing required header for this request: "
                             "x-amz-content-sha256", 400)

    try:
        signed_at = parse_amz_date(amz_date)
    except ValueError:
        raise SigV4Error(carrier if presigned else "AccessDenied",
                         f"X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
                         400 if presigned else 403)
    akid, scope = _check_scope(credential, amz_date, region, carrier)

    cred = lookup(akid)
    if cred is None:
        raise SigV4Error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not "
                         "exist in our records.", AWSAccessKeyId=akid)

    if presigned:
        try:
            expires = int(query["X-Amz-Expires"])
        except ValueError:
            raise SigV4Error(carrier, "X-Amz-Expires should be a number", 400)
        if not 0 <= expires <= MAX_PRESIGN_EXPIRES:
            raise SigV4Error(carrier, "X-Amz-Expires must be less than a week (in seconds) "
                             "that is 604800", 400)
        if now > signed_at + expires:
            raise SigV4Error("AccessDenied", "Request has expired", 403,
                             Expires=_iso(signed_at + expires), ServerTime=_iso(now))
        if signed_at - now > max_skew:
            raise SigV4Error("AccessDenied", "Request is not valid yet", 403)
    elif abs(now - signed_at) > max_skew:
        raise SigV4Error("RequestTimeTooSkewed", "The difference between the request time and "
                         "the current time is too large.", 403, RequestTime=amz_date,
                         ServerTime=_iso(now), MaxAllowedSkewMilliseconds=str(max_skew * 1000))

    # Temporary credentials only work with their own session token; a static
    # key must not come with one (a proxy leaking a stale token is a bug).
    if cred.token is not None and token != cred.token:
        raise SigV4Error("InvalidToken", "The provided token is malformed or otherwise invalid."
                         if token else "The request uses temporary credentials but carries no "
                         "x-amz-security-token.", 400)
    if cred.token is None and token:
        raise SigV4Error("InvalidToken", "The provided token is malformed or otherwise invalid.",
                         400)
    if cred.expiration is not None and now >= cred.expiration:
        raise SigV4Error("ExpiredToken", "The provided token has expired.", 400)

    if "host" not in signed:
        raise SigV4Error("AccessDenied", "The host header must be signed (SignedHeaders="
                         + ";".join(signed) + ")")
    if signed != sorted(signed) or any(h != h.lower() for h in signed):
        raise SigV4Error(carrier, "SignedHeaders must be lowercase and sorted", 400)
    unsigned = sorted({n.lower() for n, _ in headers if n.lower().startswith("x-amz-")}
                      - set(signed))
    if unsigned:
        raise SigV4Error("AccessDenied", "There were headers present in the request which were "
                         "not signed", HeadersNotSigned=", ".join(unsigned))

    if not (payload_hash == UNSIGNED_PAYLOAD or payload_hash in STREAMING_MODES
            or _HEX64.fullmatch(payload_hash)):
        raise SigV4Error("InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                         "STREAMING-*-PAYLOAD[-TRAILER], or a valid lowercase sha256 value.", 400)

    creq = canonical_request(method, raw_target, headers, signed, payload_hash, presigned)
    sts = string_to_sign(amz_date, scope, creq)
    key = signing_key(cred.secret, *scope.split("/")[:3])
    expected = hmac_hex(key, sts)
    if not hmac.compare_digest(expected, provided):
        raise SigV4Error("SignatureDoesNotMatch", "The request signature we calculated does not "
                         "match the signature you provided. Check your key and signing method.",
                         403, AWSAccessKeyId=akid, StringToSign=sts, SignatureProvided=provided,
                         CanonicalRequest=creq)
    return AuthInfo("query" if presigned else "header", akid, amz_date, scope, key, provided,
                    payload_hash, cred.token is not None, signed)


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def check_payload(auth: AuthInfo, body_sha256: str) -> None:
    """Reject a body whose SHA-256 differs from the signed x-amz-content-sha256."""
    if _HEX64.fullmatch(auth.payload_hash) and body_sha256 != auth.payload_hash:
        raise SigV4Error("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' "
                         "header does not match what was computed.", 400,
                         ClientComputedContentSHA256=auth.payload_hash,
                         S3ComputedContentSHA256=body_sha256)


# --------------------------------------------------------------------------
# Additional checksums (x-amz-checksum-*), as S3 verifies them
# --------------------------------------------------------------------------

def _crc_table(poly: int, bits: int) -> list:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


class _Crc:
    """A reflected CRC with init and xorout all ones: CRC-32C (Castagnoli) and CRC-64/NVME."""

    def __init__(self, poly: int, bits: int) -> None:
        self._mask = (1 << bits) - 1
        self._table = _CRC_TABLES.setdefault((poly, bits), _crc_table(poly, bits))
        self._crc = self._mask
        self._bytes = bits // 8

    def update(self, data: bytes) -> None:
        c, t = self._crc, self._table
        for b in data:
            c = t[(c ^ b) & 0xFF] ^ (c >> 8)
        self._crc = c

    def digest(self) -> bytes:
        return (self._crc ^ self._mask).to_bytes(self._bytes, "big")


class _Crc32:
    def __init__(self) -> None:
        self._crc = 0

    def update(self, data: bytes) -> None:
        self._crc = zlib.crc32(data, self._crc)

    def digest(self) -> bytes:
        return self._crc.to_bytes(4, "big")


_CRC_TABLES: dict = {}
CHECKSUMS = {
    "x-amz-checksum-crc32": _Crc32,
    "x-amz-checksum-crc32c": lambda: _Crc(0x82F63B78, 32),
    "x-amz-checksum-crc64nvme": lambda: _Crc(0x9A6C9329AC4BC9B5, 64),
    "x-amz-checksum-sha1": lambda: hashlib.sha1(),
    "x-amz-checksum-sha256": lambda: hashlib.sha256(),
}


def check_checksums(pairs, file) -> None:
    """Reject a body (file, read from its start) whose x-amz-checksum-* value (header or trailer ``pairs``)
    differs from what it holds, as S3 does: BadDigest, nothing stored."""
    wanted = [(n.lower(), v.strip()) for n, v in pairs if n.lower() in CHECKSUMS]
    if not wanted:
        return
    if len(wanted) > 1:
        raise SigV4Error("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types "
                         "are not allowed.", 400)
    name, value = wanted[0]
    state = CHECKSUMS[name]()
    file.seek(0)
    while True:
        block = file.read(1 << 20)
        if not block:
            break
        state.update(block)
    file.seek(0)
    if base64.b64encode(state.digest()).decode() != value:
        algorithm = name[len("x-amz-checksum-"):].upper()
        raise SigV4Error("BadDigest", f"The {algorithm} you specified did not match the calculated checksum.", 400)


# --------------------------------------------------------------------------
# aws-chunked bodies
# --------------------------------------------------------------------------

def decode_aws_chunked(src, dst, auth: Optional[AuthInfo], mode: str) -> tuple[int, list]:
    """Strip aws-chunked framing from file ``src`` into file ``dst``.

    For the signed modes every chunk signature (and the trailer signature) is
    verified, chained from the seed signature in ``auth``.  Returns
    (decoded length, trailer header pairs without x-amz-trailer-signature).
    """
    signed = mode in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER)
    previous = auth.signature if auth else ""
    total = 0

    def incomplete(msg: str) -> SigV4Error:
        return SigV4Error("IncompleteBody", msg, 400)

    def mismatch(msg: str) -> SigV4Error:
        return SigV4Error("SignatureDoesNotMatch", msg, 403)

    while True:
        line = src.readline(4096)
        if not line.endswith(b"\r\n"):
            raise incomplete("unterminated aws-chunked chunk header")
        size_text, _, ext = line[:-2].decode("latin-1").partition(";")
        try:
            size = int(size_text.strip(), 16)
        except ValueError:
            raise SigV4Error("InvalidChunkSizeError", f"bad chunk size {size_text!r}", 400)
        data = src.read(size)
        if len(data) != size:
            raise incomplete("aws-chunked chunk truncated")
        if signed:
            provided = ext.partition("chunk-signature=")[2].strip()
            sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", auth.amz_date, auth.scope, previous,
                             EMPTY_SHA256, sha256_hex(data)])
            if not hmac.compare_digest(hmac_hex(auth.signing_key, sts), provided):
                raise mismatch(f"chunk signature mismatch after {total} decoded bytes")
            previous = provided
        if size == 0:
            break
        dst.write(data)
        total += size
        if src.read(2) != b"\r\n":
            raise incomplete("aws-chunked chunk not followed by CRLF")

    # Optional trailer section, ended by an empty line (or EOF for lax clients).
    trailers, raw_trailer, trailer_sig = [], b"", None
    while True:
        line = src.readline(8192)
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").strip().partition(":")
        if name.strip().lower() == "x-amz-trailer-signature":
            trailer_sig = value.strip()
        else:
            trailers.append((name.strip(), value.strip()))
            raw_trailer += f"{name.strip().lower()}:{value.strip()}\n".encode("latin-1")
    if mode == STREAMING_SIGNED_TRAILER and trailers:
        sts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", auth.amz_date, auth.scope, previous,
                         sha256_hex(raw_trailer)])
        if trailer_sig is None or not hmac.compare_digest(hmac_hex(auth.signing_key, sts),
                                                          trailer_sig):
            raise mismatch("trailer signature mismatch")
    return total, trailers


# --------------------------------------------------------------------------
# Self-check against published vectors
# --------------------------------------------------------------------------

def _selfcheck() -> int:
    suite_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"   # generic SigV4 test suite
    s3_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"      # S3 API reference examples
    suite_hdrs = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]
    s3_host = ("Host", "examplebucket.s3.amazonaws.com")
    s3_date = "20130524T000000Z"
    body = b"Welcome to Amazon S3."

    cases = [
        # (name, secret, date, service, method, target, headers, signed, payload, expected)
        ("suite get-vanilla", suite_secret, "20150830T123600Z", "service", "GET", "/",
         suite_hdrs, ["host", "x-amz-date"], EMPTY_SHA256,
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("suite get-vanilla-query-order-key-case", suite_secret, "20150830T123600Z",
         "service", "GET", "/?Param2=value2&Param1=value1", suite_hdrs,
         ["host", "x-amz-date"], EMPTY_SHA256,
         "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        ("suite get-vanilla-query-order-value", suite_secret, "20150830T123600Z", "service",
         "GET", "/?Param1=value2&Param1=value1", suite_hdrs, ["host", "x-amz-date"],
         EMPTY_SHA256, "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
        ("suite get-unreserved", suite_secret, "20150830T123600Z", "service", "GET",
         "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", suite_hdrs,
         ["host", "x-amz-date"], EMPTY_SHA256,
         "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        ("suite post-x-www-form-urlencoded", suite_secret, "20150830T123600Z", "service",
         "POST", "/", [("Content-Type", "application/x-www-form-urlencoded")] + suite_hdrs,
         ["content-type", "host", "x-amz-date"], sha256_hex(b"Param1=value1"),
         "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        ("s3 GET object with range", s3_secret, s3_date, "s3", "GET", "/test.txt",
         [s3_host, ("Range", "bytes=0-9"), ("x-amz-content-sha256", EMPTY_SHA256),
          ("x-amz-date", s3_date)], ["host", "range", "x-amz-content-sha256", "x-amz-date"],
         EMPTY_SHA256, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        ("s3 PUT object test$file.text", s3_secret, s3_date, "s3", "PUT", "/test%24file.text",
         [("Date", "Fri, 24 May 2013 00:00:00 GMT"), s3_host,
          ("x-amz-content-sha256", sha256_hex(body)), ("x-amz-date", s3_date),
          ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
         ["date", "host", "x-amz-content-sha256", "x-amz-date", "x-amz-storage-class"],
         sha256_hex(body), "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
        ("s3 GET ?lifecycle", s3_secret, s3_date, "s3", "GET", "/?lifecycle",
         [s3_host, ("x-amz-content-sha256", EMPTY_SHA256), ("x-amz-date", s3_date)],
         ["host", "x-amz-content-sha256", "x-amz-date"], EMPTY_SHA256,
         "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        ("s3 list ?max-keys=2&prefix=J", s3_secret, s3_date, "s3", "GET",
         "/?max-keys=2&prefix=J",
         [s3_host, ("x-amz-content-sha256", EMPTY_SHA256), ("x-amz-date", s3_date)],
         ["host", "x-amz-content-sha256", "x-amz-date"], EMPTY_SHA256,
         "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
        ("s3 presigned GET (signature param excluded)", s3_secret, s3_date, "s3", "GET",
         "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F"
         "20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires="
         "86400&X-Amz-SignedHeaders=host&X-Amz-Signature=ignored", [s3_host], ["host"],
         UNSIGNED_PAYLOAD, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"),
    ]
    failures = 0
    for name, secret, date, service, method, target, hdrs, signed, payload, want in cases:
        creq = canonical_request(method, target, hdrs, signed, payload,
                                 presigned="X-Amz-Signature" in target)
        got = sign(secret, date, "us-east-1", service, creq)
        ok = got == want
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f": {got} != {want}"))

    # Full verify() of the S3 presigned vector, with the clock at signing time.
    target = ("/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE"
              "%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-"
              "Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b8"
              "6d86835f995330da4c265957d157751f604d404")
    keys = {"AKIAIOSFODNN7EXAMPLE": Credential(s3_secret)}
    try:
        verify("GET", target, [s3_host], region="us-east-1", lookup=keys.get,
               now=parse_amz_date(s3_date) + 60)
        print("ok   verify() accepts the S3 presigned vector")
    except SigV4Error as exc:
        failures += 1
        print(f"FAIL verify() rejects the S3 presigned vector: {exc}")
    try:
        verify("GET", target, [s3_host], region="us-east-1", lookup=keys.get,
               now=parse_amz_date(s3_date) + 86401)
        failures += 1
        print("FAIL verify() accepts an expired presigned URL")
    except SigV4Error as exc:
        print(f"ok   verify() rejects it a day later ({exc.code}: {exc.message})")

    # S3 streaming example (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): seed + chunk chain.
    import io
    hdrs = [("Host", "s3.amazonaws.com"), ("x-amz-date", s3_date),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"), ("Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
            "x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705"
            "268965c44a0e4690baa4adea153f7db9fa80a0a9"),
            ("x-amz-content-sha256", STREAMING_SIGNED), ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"), ("Content-Length", "66824")]
    framed = (b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a"
              b"288648\r\n" + b"a" * 65536 + b"\r\n400;chunk-signature=0055627c9e194cb4542bae2aa"
              b"5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" + b"a" * 1024 + b"\r\n0;chunk-signa"
              b"ture=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n")
    try:
        auth = verify("PUT", "/examplebucket/chunkObject.txt", hdrs, region="us-east-1",
                      lookup=keys.get, now=parse_amz_date(s3_date))
        out = io.BytesIO()
        n, _ = decode_aws_chunked(io.BytesIO(framed), out, auth, STREAMING_SIGNED)
        assert n == 66560 and out.getvalue() == b"a" * 66560
        print("ok   S3 streaming example: seed signature and chunk chain verify")
        tampered = framed.replace(b"a" * 10, b"b" * 10, 1)
        try:
            decode_aws_chunked(io.BytesIO(tampered), io.BytesIO(), auth, STREAMING_SIGNED)
            failures += 1
            print("FAIL tampered chunk accepted")
        except SigV4Error:
            print("ok   tampered chunk rejected")
    except (SigV4Error, AssertionError) as exc:
        failures += 1
        print(f"FAIL S3 streaming example: {exc!r}")

    # S3 canonical URI: decode once, encode once, no dot-segment normalisation.
    for raw, want in [("/b/a%20b.txt", "/b/a%20b.txt"), ("/b/plus+sign", "/b/plus%2Bsign"),
                      ("/b/percent%2541", "/b/percent%2541"), ("/b/d//s", "/b/d//s"),
                      ("/b/dots/../x", "/b/dots/../x"), ("/b/%7Etilde", "/b/~tilde"),
                      ("/b/eq=colon:", "/b/eq%3Dcolon%3A")]:
        got = canonical_uri(raw)
        failures += got != want
        print(f"{'ok  ' if got == want else 'FAIL'} canonical_uri({raw!r}) = {got!r}")
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(_selfcheck())
