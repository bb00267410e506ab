#!/usr/bin/env python3
"""Self-check of the verifying S3/STS emulator front (no pytest needed).

    python3 tests/emulator/selftest.py --endpoint http://127.0.0.1:19000 --key AKID:SECRET

Expects a running s3emu.py started with ``--key AKID:SECRET --public-bucket
public-bucket --public-write-bucket scratch-bucket`` (what scripts/lib/emulator.sh
passes) and seeded by seed.py.  Requests are signed by botocore's own
signer (an implementation independent of sigv4_verify.py) and sent either by
boto3 or raw with http.client, so the wire bytes are under the test's control.
Prints ``N passed, N failed`` last; exits 1 on any failure.  Leaves faults
cleared and the STS duration override off.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import hmac
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
import xml.etree.ElementTree as ET
from contextlib import contextmanager

import botocore.auth
import botocore.config
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import assume_role  # noqa: E402
import seed  # noqa: E402
from jwt_issuer import DiscoveryServer, Issuer  # noqa: E402

ROLE_ARN = "arn:aws:iam::123456789012:role/test"
# Tokens are real RS256 JWTs from a throwaway issuer whose JWKS is registered with the emulator's STS (the
# issuer URL itself is never fetched: .invalid does not resolve, and the emulator only reaches loopback).
ISSUER = Issuer("https://selftest-issuer.invalid")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
WRITABLE = "scratch-bucket"  # --public-write-bucket: anyone may read, write and delete its objects


class Ctx:
    def __init__(self, endpoint: str, akid: str, secret: str):
        self.endpoint = endpoint.rstrip("/")
        parsed = urllib.parse.urlsplit(self.endpoint)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.akid, self.secret = akid, secret
        self.s3 = seed.client(self.endpoint, akid, secret)
        self.sts_exchanges = 0  # how many AssumeRoleWithWebIdentity calls we made
        self.jwks_registered = False

    # ---- raw HTTP -------------------------------------------------------

    def conn(self, timeout: float = 15) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def raw(self, method: str, path: str, body=b"", headers=None, timeout: float = 15,
            conn=None):
        """Send one request; returns (status, headers dict lowercased, body bytes)."""
        c = conn or self.conn(timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            if conn is None:
                c.close()

    def signed(self, method: str, path: str, body=b"", headers=None, *, akid=None,
               secret=None, token=None, region="us-east-1", payload=None, at=None):
        """Headers for ``path`` signed by botocore (path is used verbatim)."""
        req = AWSRequest(method=method, url=self.endpoint + path, data=body,
                         headers=dict(headers or {}))
        creds = Credentials(akid or self.akid, secret or self.secret, token)
        signer = FixedPayloadAuth(creds, "s3", region, payload)
        with frozen_clock(at):
            signer.add_auth(req)
        return dict(req.headers.items())

    def control(self, method: str, route: str, obj=None):
        body = json.dumps(obj).encode() if obj is not None else b""
        status, _, data = self.raw(method, "/__emu/" + route, body,
                                   {"Content-Type": "application/json"})
        if status != 200:
            raise AssertionError(f"control {route} -> {status} {data!r}")
        return json.loads(data)

    def fault(self, **spec):
        return self.control("POST", "fault", spec)

    def assume(self, timeout: float = 15, session: str = "selftest", token: str = None):
        """Raw, unsigned AssumeRoleWithWebIdentity form POST (a valid token unless given one)."""
        if not self.jwks_registered:
            self.control("POST", "jwks", {"issuer": ISSUER.issuer, "jwks": ISSUER.jwks()})
            self.jwks_registered = True
        self.sts_exchanges += 1
        self.last_token = token if token is not None else ISSUER.token()
        form = urllib.parse.urlencode({
            "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
            "RoleArn": ROLE_ARN, "RoleSessionName": session, "WebIdentityToken": self.last_token,
            "DurationSeconds": "3600"})
        return self.raw("POST", "/", form.encode(),
                        {"Content-Type": "application/x-www-form-urlencoded"}, timeout)


class FixedPayloadAuth(S3SigV4Auth):
    """botocore's S3 signer, optionally with a given x-amz-content-sha256 value."""

    def __init__(self, creds, service, region, payload=None):
        super().__init__(creds, service, region)
        self._payload = payload

    def payload(self, request):
        return self._payload or super().payload(request)


@contextmanager
def frozen_clock(at):
    """Make botocore sign as if the time were ``at`` (a UTC datetime)."""
    if at is None:
        yield
        return
    original = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *a, **k: at
    try:
        yield
    finally:
        botocore.auth.get_current_datetime = original


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def error_code(body: bytes) -> str:
    root = ET.fromstring(body)
    el = root.find("Code")
    if el is None:
        el = next(e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "Code")
    return el.text


def expect_error(status, body, want_status, want_code):
    assert status == want_status, f"status {status} != {want_status}: {body[:300]!r}"
    code = error_code(body)
    assert code == want_code, f"code {code} != {want_code}: {body[:300]!r}"


def expect_client_error(fn, want_status, want_code):
    try:
        fn()
    except ClientError as exc:
        got = (exc.response["ResponseMetadata"]["HTTPStatusCode"],
               exc.response["Error"]["Code"])
        assert got == (want_status, want_code), f"got {got}, want {(want_status, want_code)}"
        return
    raise AssertionError(f"expected {want_status} {want_code}, request succeeded")


def parse_credentials(body: bytes) -> dict:
    root = ET.fromstring(body)
    creds = next(e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "Credentials")
    return {c.tag.rsplit("}", 1)[-1]: c.text for c in creds}


def hmac_hex(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def sign_raw_get(ctx: Ctx, path: str, extra: dict[str, bytes]) -> dict:
    """A GET signed by hand over raw header bytes (botocore canonicalises with
    str.split(), which would also collapse the 0x85/0xA0 bytes under test).
    SigV4 trims values and collapses runs of spaces, nothing else."""
    amz_date = utcnow().strftime("%Y%m%dT%H%M%SZ")
    headers = {b"host": f"{ctx.host}:{ctx.port}".encode(), b"x-amz-content-sha256": EMPTY_SHA256.encode(),
               b"x-amz-date": amz_date.encode(), **{k.encode(): v for k, v in extra.items()}}
    names = sorted(headers)
    canonical_headers = b"".join(n + b":" + b" ".join(filter(None, headers[n].split(b" "))) + b"\n"
                                 for n in names)
    signed = b";".join(names)
    creq = b"\n".join([b"GET", path.encode(), b"", canonical_headers, signed, EMPTY_SHA256.encode()])
    scope = f"{amz_date[:8]}/us-east-1/s3/aws4_request"
    key = ("AWS4" + ctx.secret).encode()
    for part in (amz_date[:8], "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac_hex(key, "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq).hexdigest()]))
    out = {k.decode(): v.decode("latin-1") for k, v in headers.items() if k != b"host"}
    out["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={ctx.akid}/{scope}, "
                            f"SignedHeaders={signed.decode()}, Signature={sig}")
    return out


def aws_chunked_signed(ctx: Ctx, headers: dict, data: bytes, chunk: int) -> bytes:
    """Frame ``data`` as STREAMING-AWS4-HMAC-SHA256-PAYLOAD, chained from the seed."""
    seed_sig = headers["Authorization"].rsplit("Signature=", 1)[1]
    amz_date = headers["X-Amz-Date"]
    scope = f"{amz_date[:8]}/us-east-1/s3/aws4_request"
    key = ("AWS4" + ctx.secret).encode()
    for part in (amz_date[:8], "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    out, prev = b"", seed_sig
    pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)] + [b""]
    for piece in pieces:
        sig = hmac_hex(key, "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, prev,
                                       EMPTY_SHA256, hashlib.sha256(piece).hexdigest()]))
        out += b"%x;chunk-signature=%s\r\n%s\r\n" % (len(piece), sig.encode(), piece)
        prev = sig
    return out


# --------------------------------------------------------------------------
# Tests, run in order
# --------------------------------------------------------------------------

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def control_api_resets(ctx: Ctx):
    ctx.fault(target="s3", mode="none")
    ctx.fault(target="sts", mode="none")
    ctx.control("POST", "sts-duration", {"seconds": None})
    ctx.control("POST", "reset-stats")
    stats = ctx.control("GET", "stats")
    assert stats["sts_exchanges"] == 0 and stats["s3_requests"] == 0 and stats["rejected"] == 0
    assert ctx.control("GET", "fault") == {}


@test
def signed_put_get_head_list_delete(ctx: Ctx):
    s3, key = ctx.s3, "selftest/object.txt"
    s3.put_object(Bucket="private-bucket", Key=key, Body=b"selftest body\n",
                  ContentType="text/plain", Metadata={"suite": "selftest"})
    got = s3.get_object(Bucket="private-bucket", Key=key)
    assert got["Body"].read() == b"selftest body\n"
    head = s3.head_object(Bucket="private-bucket", Key=key)
    assert head["ContentLength"] == 14 and head["Metadata"] == {"suite": "selftest"}
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="private-bucket",
                                                 Prefix="selftest/")["Contents"]]
    assert key in keys, keys
    assert {"public-bucket", "private-bucket"} <= {b["Name"] for b in s3.list_buckets()["Buckets"]}
    s3.delete_object(Bucket="private-bucket", Key=key)
    expect_client_error(lambda: s3.head_object(Bucket="private-bucket", Key=key), 404, "404")


@test
def seeded_content_and_headers(ctx: Ctx):
    s3 = ctx.s3
    hello = s3.get_object(Bucket="private-bucket", Key="repos/secret-data/hello.txt")
    assert hello["Body"].read() == seed.HELLO_TEXT
    big = seed.blob(seed.BIG_SIZE)
    whole = s3.get_object(Bucket="private-bucket", Key="repos/secret-data/big/blob.bin")
    assert whole["ContentLength"] == len(big) and whole["Body"].read() == big
    part = s3.get_object(Bucket="private-bucket", Key="repos/secret-data/big/blob.bin",
                         Range="bytes=1000000-1065535")
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert part["ContentRange"] == f"bytes 1000000-1065535/{len(big)}", part["ContentRange"]
    assert part["Body"].read() == big[1000000:1065536]
    meta = s3.head_object(Bucket="public-bucket", Key=seed.METADATA_KEY)
    assert meta["Metadata"] == {"owner": "demo"} and meta["ContentType"] == "text/plain"
    hdrs = meta["ResponseMetadata"]["HTTPHeaders"]
    assert hdrs.get("x-amz-meta-owner") == "demo" and "etag" in hdrs and "last-modified" in hdrs


@test
def multipart_upload(ctx: Ctx):
    s3, key = ctx.s3, "selftest/multipart.bin"
    data = seed.blob(5 * 1024 * 1024 + 4097)
    up = s3.create_multipart_upload(Bucket="private-bucket", Key=key)
    parts = []
    for n, piece in enumerate([data[:5 * 1024 * 1024], data[5 * 1024 * 1024:]], start=1):
        r = s3.upload_part(Bucket="private-bucket", Key=key, UploadId=up["UploadId"],
                           PartNumber=n, Body=piece)
        parts.append({"PartNumber": n, "ETag": r["ETag"]})
    s3.complete_multipart_upload(Bucket="private-bucket", Key=key, UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": parts})
    assert s3.get_object(Bucket="private-bucket", Key=key)["Body"].read() == data
    s3.delete_object(Bucket="private-bucket", Key=key)


@test
def wrong_secret_is_signature_mismatch(ctx: Ctx):
    bad = seed.client(ctx.endpoint, ctx.akid, ctx.secret + "x")
    expect_client_error(lambda: bad.get_object(Bucket="private-bucket",
                                               Key="repos/secret-data/hello.txt"),
                        403, "SignatureDoesNotMatch")
    path = "/private-bucket/repos/secret-data/hello.txt"
    status, _, body = ctx.raw("GET", path, headers=ctx.signed("GET", path, secret="not-the-secret"))
    expect_error(status, body, 403, "SignatureDoesNotMatch")
    assert b"<CanonicalRequest>" in body and b"<StringToSign>" in body


@test
def unknown_key_is_invalid_access_key(ctx: Ctx):
    bad = seed.client(ctx.endpoint, "AKIDUNKNOWN000000000", "whatever")
    expect_client_error(lambda: bad.list_objects_v2(Bucket="private-bucket"),
                        403, "InvalidAccessKeyId")


@test
def tampered_query_is_rejected(ctx: Ctx):
    path = "/private-bucket?list-type=2&prefix=repos%2F"
    headers = ctx.signed("GET", path)
    status, _, body = ctx.raw("GET", path, headers=headers)
    assert status == 200 and b"repos/secret-data/hello.txt" in body, (status, body[:200])
    status, _, body = ctx.raw("GET", path.replace("repos", "other"), headers=headers)
    expect_error(status, body, 403, "SignatureDoesNotMatch")
    status, _, body = ctx.raw("GET", path + "&max-keys=1", headers=headers)
    expect_error(status, body, 403, "SignatureDoesNotMatch")


@test
def tampered_header_and_path_are_rejected(ctx: Ctx):
    path = "/private-bucket/repos/secret-data/hello.txt"
    headers = ctx.signed("GET", path, headers={"Range": "bytes=0-4"})
    status, _, body = ctx.raw("GET", path, headers=headers)
    assert status == 206 and body == b"hello", (status, body)
    status, _, body = ctx.raw("GET", path, headers={**headers, "Range": "bytes=0-9"})
    expect_error(status, body, 403, "SignatureDoesNotMatch")
    status, _, body = ctx.raw("GET", path.replace("hello", "HELLO"), headers=headers)
    expect_error(status, body, 403, "SignatureDoesNotMatch")


@test
def non_ascii_header_values_verify(ctx: Ctx):
    # UTF-8 bytes 0x85 ("Å" = C3 85) and 0xA0 (no-break space C2 A0) are not whitespace to SigV4.
    path = "/private-bucket/repos/secret-data/hello.txt"
    value = "Åsa  café\u00a0x".encode("utf-8")
    headers = sign_raw_get(ctx, path, {"x-amz-meta-note": value})
    status, _, body = ctx.raw("GET", path, headers=headers)
    assert status == 200 and body == seed.HELLO_TEXT, (status, body[:300])
    tampered = {**headers, "x-amz-meta-note": "Åsa  café x".encode("utf-8").decode("latin-1")}
    status, _, body = ctx.raw("GET", path, headers=tampered)
    expect_error(status, body, 403, "SignatureDoesNotMatch")


@test
def structural_rejections(ctx: Ctx):
    path = "/private-bucket/repos/secret-data/hello.txt"
    # Signed for another region.
    status, _, body = ctx.raw("GET", path, headers=ctx.signed("GET", path, region="eu-west-1"))
    expect_error(status, body, 400, "AuthorizationHeaderMalformed")
    # An x-amz-* header that was not signed.
    headers = ctx.signed("GET", path)
    status, _, body = ctx.raw("GET", path, headers={**headers, "x-amz-meta-extra": "1"})
    expect_error(status, body, 403, "AccessDenied")
    assert b"HeadersNotSigned" in body
    # Host left out of SignedHeaders.
    auth = headers["Authorization"].replace("SignedHeaders=host;", "SignedHeaders=")
    status, _, body = ctx.raw("GET", path, headers={**headers, "Authorization": auth})
    expect_error(status, body, 403, "AccessDenied")
    # SigV2 is not accepted.
    status, _, body = ctx.raw("GET", path, headers={"Authorization": f"AWS {ctx.akid}:abc="})
    expect_error(status, body, 400, "InvalidRequest")
    # A static key presented with a session token.
    status, _, body = ctx.raw("GET", path, headers=ctx.signed("GET", path, token="bogus"))
    expect_error(status, body, 400, "InvalidToken")


@test
def clock_skew_is_rejected(ctx: Ctx):
    path = "/private-bucket/repos/secret-data/hello.txt"
    for minutes in (-20, 20):
        at = utcnow() + datetime.timedelta(minutes=minutes)
        status, _, body = ctx.raw("GET", path, headers=ctx.signed("GET", path, at=at))
        expect_error(status, body, 403, "RequestTimeTooSkewed")
    at = utcnow() - datetime.timedelta(minutes=10)  # within the 15 minute window
    status, _, body = ctx.raw("GET", path, headers=ctx.signed("GET", path, at=at))
    assert status == 200 and body == seed.HELLO_TEXT, (status, body[:200])


@test
def body_hash_mismatch_is_rejected(ctx: Ctx):
    path = "/private-bucket/selftest/hash.txt"
    headers = ctx.signed("PUT", path, body=b"the signed body")
    status, _, body = ctx.raw("PUT", path, b"another body!!!", headers)
    expect_error(status, body, 400, "XAmzContentSHA256Mismatch")
    expect_client_error(lambda: ctx.s3.head_object(Bucket="private-bucket",
                                                   Key="selftest/hash.txt"), 404, "404")
    status, _, body = ctx.raw("PUT", path, b"the signed body", headers)
    assert status == 200, (status, body)
    # UNSIGNED-PAYLOAD is accepted with any body.
    headers = ctx.signed("PUT", path, body=b"x", payload="UNSIGNED-PAYLOAD")
    status, _, body = ctx.raw("PUT", path, b"unsigned payload body", headers)
    assert status == 200, (status, body)
    assert ctx.s3.get_object(Bucket="private-bucket", Key="selftest/hash.txt")[
        "Body"].read() == b"unsigned payload body"
    ctx.s3.delete_object(Bucket="private-bucket", Key="selftest/hash.txt")


@test
def http_chunked_transfer_encoding_upload(ctx: Ctx):
    path, data = "/private-bucket/selftest/te-chunked.bin", seed.blob(300000)
    headers = ctx.signed("PUT", path, body=data)
    headers["Transfer-Encoding"] = "chunked"
    c = ctx.conn()
    try:
        c.request("PUT", path, body=iter([data[:100000], data[100000:]]), headers=headers,
                  encode_chunked=True)
        r = c.getresponse()
        assert r.status == 200, (r.status, r.read())
        r.read()
    finally:
        c.close()
    assert ctx.s3.get_object(Bucket="private-bucket", Key="selftest/te-chunked.bin")[
        "Body"].read() == data
    ctx.s3.delete_object(Bucket="private-bucket", Key="selftest/te-chunked.bin")


@test
def aws_chunked_uploads(ctx: Ctx):
    data = seed.blob(200000)
    # Signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD).
    path = "/private-bucket/selftest/aws-chunked-signed.bin"
    base = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data))}
    headers = ctx.signed("PUT", path, headers=base, payload="STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    framed = aws_chunked_signed(ctx, headers, data, 65536)
    status, _, body = ctx.raw("PUT", path, framed, headers)
    assert status == 200, (status, body)
    got = ctx.s3.get_object(Bucket="private-bucket", Key="selftest/aws-chunked-signed.bin")
    assert got["Body"].read() == data and "aws-chunked" not in got.get("ContentEncoding", "")
    # ... and a tampered chunk is caught.
    tampered = framed.replace(data[70000:70010], b"0123456789", 1)
    status, _, body = ctx.raw("PUT", path, tampered, headers)
    expect_error(status, body, 403, "SignatureDoesNotMatch")
    # Unsigned chunks with a checksum trailer (what SDKs send over HTTPS).
    path = "/private-bucket/selftest/aws-chunked-trailer.bin"
    import base64
    import zlib
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    headers = ctx.signed("PUT", path, headers={**base, "x-amz-trailer": "x-amz-checksum-crc32"},
                         payload="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    framed = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 65536]), data[i:i + 65536])
                      for i in range(0, len(data), 65536))
    framed += f"0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n".encode()
    status, _, body = ctx.raw("PUT", path, framed, headers)
    assert status == 200, (status, body)
    assert ctx.s3.get_object(Bucket="private-bucket", Key="selftest/aws-chunked-trailer.bin")[
        "Body"].read() == data
    # ... and a trailer checksum that does not match is BadDigest, nothing stored (S3 verifies it).
    bad_path = "/private-bucket/selftest/aws-chunked-trailer-bad.bin"
    headers = ctx.signed("PUT", bad_path, headers={**base, "x-amz-trailer": "x-amz-checksum-crc32"},
                         payload="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    status, _, body = ctx.raw("PUT", bad_path, framed.replace(crc.encode(), b"AAAAAA=="), headers)
    expect_error(status, body, 400, "BadDigest")
    expect_client_error(lambda: ctx.s3.head_object(Bucket="private-bucket",
                                                   Key="selftest/aws-chunked-trailer-bad.bin"), 404, "404")
    for key in ("selftest/aws-chunked-signed.bin", "selftest/aws-chunked-trailer.bin"):
        ctx.s3.delete_object(Bucket="private-bucket", Key=key)


@test
def checksum_headers_are_verified(ctx: Ctx):
    # x-amz-checksum-* as S3 verifies it (CRC32, CRC32C, CRC64NVME, SHA1, SHA256; the published check values of
    # "123456789" for the CRCs): the right value stores, a wrong one is BadDigest and stores nothing.
    import base64
    path, data = "/private-bucket/selftest/checksum.txt", b"123456789"
    for name, value in [("x-amz-checksum-crc32", "cbf43926"), ("x-amz-checksum-crc32c", "e3069283"),
                        ("x-amz-checksum-crc64nvme", "ae8b14860a799888"),
                        ("x-amz-checksum-sha1", hashlib.sha1(data).hexdigest()),
                        ("x-amz-checksum-sha256", hashlib.sha256(data).hexdigest())]:
        good = base64.b64encode(bytes.fromhex(value)).decode()
        headers = ctx.signed("PUT", path, body=data, headers={name: good})
        status, _, body = ctx.raw("PUT", path, data, headers)
        assert status == 200, (name, status, body)
        ctx.s3.delete_object(Bucket="private-bucket", Key="selftest/checksum.txt")
        bad = base64.b64encode(bytes(len(bytes.fromhex(value)))).decode()
        headers = ctx.signed("PUT", path, body=data, headers={name: bad})
        status, _, body = ctx.raw("PUT", path, data, headers)
        expect_error(status, body, 400, "BadDigest")
        expect_client_error(lambda: ctx.s3.head_object(Bucket="private-bucket", Key="selftest/checksum.txt"),
                            404, "404")


@test
def presigned_urls(ctx: Ctx):
    params = {"Bucket": "private-bucket", "Key": "repos/secret-data/hello.txt"}
    url = ctx.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=300)
    target = url[len(ctx.endpoint):]
    status, _, body = ctx.raw("GET", target)
    assert status == 200 and body == seed.HELLO_TEXT, (status, body[:300])
    # Tampering with any signed query parameter breaks it.
    status, _, body = ctx.raw("GET", target.replace("X-Amz-Expires=300", "X-Amz-Expires=301"))
    expect_error(status, body, 403, "SignatureDoesNotMatch")
    # Signed two hours ago, valid for a minute: expired.
    with frozen_clock(utcnow() - datetime.timedelta(hours=2)):
        old = ctx.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=60)
    status, _, body = ctx.raw("GET", old[len(ctx.endpoint):])
    expect_error(status, body, 403, "AccessDenied")
    assert b"Request has expired" in body
    # Presigned PUT.
    put = ctx.s3.generate_presigned_url("put_object", ExpiresIn=300, Params={
        "Bucket": "private-bucket", "Key": "selftest/presigned-put.txt"})
    status, _, body = ctx.raw("PUT", put[len(ctx.endpoint):], b"via presigned put")
    assert status == 200, (status, body)
    assert ctx.s3.get_object(Bucket="private-bucket", Key="selftest/presigned-put.txt")[
        "Body"].read() == b"via presigned put"
    ctx.s3.delete_object(Bucket="private-bucket", Key="selftest/presigned-put.txt")


@test
def anonymous_access(ctx: Ctx):
    status, hdrs, body = ctx.raw("GET", "/public-bucket/public-data/README.txt")
    assert status == 200 and body == seed.README_TEXT, (status, body[:200])
    status, hdrs, body = ctx.raw("HEAD", "/public-bucket/public-data/big/blob.bin")
    assert status == 200 and hdrs["content-length"] == str(seed.BIG_SIZE), (status, hdrs)
    status, hdrs, body = ctx.raw("GET", "/public-bucket/public-data/big/blob.bin",
                                 headers={"Range": "bytes=100-199"})
    assert status == 206 and body == seed.blob(200)[100:], (status, len(body))
    assert hdrs["content-range"] == f"bytes 100-199/{seed.BIG_SIZE}", hdrs
    status, _, body = ctx.raw("GET", "/public-bucket?list-type=2&prefix=public-data%2Fnested%2F")
    assert status == 200 and b"public-data/nested/data.csv" in body, (status, body[:300])
    status, _, body = ctx.raw("GET", "/private-bucket/repos/secret-data/hello.txt")
    expect_error(status, body, 403, "AccessDenied")
    status, _, body = ctx.raw("GET", "/private-bucket?list-type=2")
    expect_error(status, body, 403, "AccessDenied")
    status, _, body = ctx.raw("PUT", "/public-bucket/public-data/anon.txt", b"nope")
    expect_error(status, body, 403, "AccessDenied")
    status, _, body = ctx.raw("GET", "/")
    expect_error(status, body, 403, "AccessDenied")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def exists(ctx: Ctx, bucket: str, key: str) -> bool:
    """Whether the object is there (asked with the key: independent of what anonymous callers may do)."""
    try:
        ctx.s3.head_object(Bucket=bucket, Key=key)
        return True
    except ClientError as exc:
        if exc.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
            return False
        raise


def stored(ctx: Ctx, bucket: str, key: str) -> bytes:
    return ctx.s3.get_object(Bucket=bucket, Key=key)["Body"].read()


@test
def anonymous_write_bucket_checks_the_declared_payload_hash(ctx: Ctx):
    # S3 checks x-amz-content-sha256 on anonymous writes as on signed ones: a hex digest that is not the body's
    # is 400 XAmzContentSHA256Mismatch and nothing is stored (an existing object stays as it was).
    prefix = f"/{WRITABLE}/selftest/anon-write"
    key = "selftest/anon-write/object.txt"
    before = ctx.control("GET", "stats")["s3_anonymous"]
    body = b"written by nobody\n"
    status, _, data = ctx.raw("PUT", f"{prefix}/object.txt", body, {"x-amz-content-sha256": sha256_hex(body)})
    assert status == 200, (status, data[:300])
    status, hdrs, data = ctx.raw("GET", f"{prefix}/object.txt")
    assert status == 200 and data == body, (status, data[:300])
    status, hdrs, _ = ctx.raw("HEAD", f"{prefix}/object.txt")
    assert status == 200 and hdrs["content-length"] == str(len(body)), (status, hdrs)
    # Another body under the same declared digest: refused, the object unchanged.
    status, _, data = ctx.raw("PUT", f"{prefix}/object.txt", b"tampered on the way\n",
                              {"x-amz-content-sha256": sha256_hex(body)})
    expect_error(status, data, 400, "XAmzContentSHA256Mismatch")
    assert stored(ctx, WRITABLE, key) == body
    # A new key: nothing is made.
    status, _, data = ctx.raw("PUT", f"{prefix}/never.txt", b"the body sent",
                              {"x-amz-content-sha256": sha256_hex(b"the body declared")})
    expect_error(status, data, 400, "XAmzContentSHA256Mismatch")
    assert b"<ClientComputedContentSHA256>" in data and sha256_hex(b"the body sent").encode() in data
    assert not exists(ctx, WRITABLE, "selftest/anon-write/never.txt")
    # Not a digest, nor a form S3 knows: 400 InvalidArgument, nothing stored.
    status, _, data = ctx.raw("PUT", f"{prefix}/never.txt", b"x", {"x-amz-content-sha256": "not-a-digest"})
    expect_error(status, data, 400, "InvalidArgument")
    assert not exists(ctx, WRITABLE, "selftest/anon-write/never.txt")
    # UNSIGNED-PAYLOAD, or no header at all: any body.
    for name, headers in (("unsigned", {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}), ("undeclared", {})):
        status, _, data = ctx.raw("PUT", f"{prefix}/{name}.txt", name.encode(), headers)
        assert status == 200, (name, status, data[:300])
        assert stored(ctx, WRITABLE, f"selftest/anon-write/{name}.txt") == name.encode()
    # DeleteObject: gone.
    status, _, data = ctx.raw("DELETE", f"{prefix}/unsigned.txt")
    assert status == 204, (status, data[:300])
    assert not exists(ctx, WRITABLE, "selftest/anon-write/unsigned.txt")
    assert ctx.control("GET", "stats")["s3_anonymous"] > before
    for k in (key, "selftest/anon-write/undeclared.txt"):
        ctx.s3.delete_object(Bucket=WRITABLE, Key=k)


@test
def anonymous_write_bucket_streaming_forms(ctx: Ctx):
    import base64
    import zlib
    prefix = f"/{WRITABLE}/selftest/anon-write"
    data = seed.blob(150000)
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    framed = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 65536]), data[i:i + 65536])
                      for i in range(0, len(data), 65536))
    framed += f"0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n".encode()
    base = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
            "x-amz-trailer": "x-amz-checksum-crc32"}
    # Unsigned chunks with a trailer (today's SDK default): de-framed; the object is the data, not the framing.
    status, _, body = ctx.raw("PUT", f"{prefix}/trailer.bin", framed,
                              {**base, "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
    assert status == 200, (status, body[:300])
    assert stored(ctx, WRITABLE, "selftest/anon-write/trailer.bin") == data
    # A body shorter than its chunks say: 400 IncompleteBody, nothing stored.
    status, _, body = ctx.raw("PUT", f"{prefix}/cut.bin", framed[:70000],
                              {**base, "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
    expect_error(status, body, 400, "IncompleteBody")
    assert not exists(ctx, WRITABLE, "selftest/anon-write/cut.bin")
    # Signed chunks without a signature to check them against: refused, nothing stored.
    for mode in ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"):
        status, _, body = ctx.raw("PUT", f"{prefix}/signed-chunks.bin",
                                  b"%x;chunk-signature=%s\r\n%s\r\n0;chunk-signature=%s\r\n\r\n"
                                  % (len(data[:100]), b"0" * 64, data[:100], b"0" * 64),
                                  {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": "100",
                                   "x-amz-content-sha256": mode})
        expect_error(status, body, 400, "InvalidRequest")
        assert b"Anonymous requests" in body, body[:300]
        assert not exists(ctx, WRITABLE, "selftest/anon-write/signed-chunks.bin")
    ctx.s3.delete_object(Bucket=WRITABLE, Key="selftest/anon-write/trailer.bin")


@test
def anonymous_write_bucket_limits(ctx: Ctx):
    prefix = f"/{WRITABLE}/selftest/anon-write"
    # A multipart upload a signed caller began takes anonymous parts (the digest checked) and is completed
    # anonymously; beginning one, and copying, are refused to anonymous callers.
    key = "selftest/anon-write/mpu.bin"
    status, _, body = ctx.raw("POST", f"{prefix}/mpu.bin?uploads")
    expect_error(status, body, 403, "AccessDenied")
    upload = ctx.s3.create_multipart_upload(Bucket=WRITABLE, Key=key)["UploadId"]
    q = f"?partNumber=1&uploadId={urllib.parse.quote(upload, safe='')}"
    part = b"one part"
    status, _, body = ctx.raw("PUT", f"{prefix}/mpu.bin{q}", b"another part",
                              {"x-amz-content-sha256": sha256_hex(part)})
    expect_error(status, body, 400, "XAmzContentSHA256Mismatch")
    assert ctx.s3.list_parts(Bucket=WRITABLE, Key=key, UploadId=upload).get("Parts", []) == []
    status, hdrs, body = ctx.raw("PUT", f"{prefix}/mpu.bin{q}", part, {"x-amz-content-sha256": sha256_hex(part)})
    assert status == 200, (status, body[:300])
    doc = (f"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{hdrs['etag']}</ETag></Part>"
           f"</CompleteMultipartUpload>").encode()
    status, _, body = ctx.raw("POST", f"{prefix}/mpu.bin?uploadId={urllib.parse.quote(upload, safe='')}", doc,
                              {"x-amz-content-sha256": sha256_hex(doc)})
    assert status == 200 and b"<Error>" not in body and b"<ETag>" in body, (status, body[:300])
    assert stored(ctx, WRITABLE, key) == part
    status, _, body = ctx.raw("PUT", f"{prefix}/copy.txt", b"",
                              {"x-amz-copy-source": "/private-bucket/repos/secret-data/hello.txt"})
    expect_error(status, body, 403, "AccessDenied")
    assert not exists(ctx, WRITABLE, "selftest/anon-write/copy.txt")
    # DeleteObjects: the document's digest is checked like any body.
    doc = f"<Delete><Object><Key>{key}</Key></Object></Delete>".encode()
    md5 = base64_md5(doc)
    status, _, body = ctx.raw("POST", f"/{WRITABLE}?delete", doc,
                              {"Content-MD5": md5, "x-amz-content-sha256": sha256_hex(doc + b" ")})
    expect_error(status, body, 400, "XAmzContentSHA256Mismatch")
    assert exists(ctx, WRITABLE, key)
    status, _, body = ctx.raw("POST", f"/{WRITABLE}?delete", doc, {"Content-MD5": md5, "x-amz-content-sha256": sha256_hex(doc)})
    assert status == 200 and b"<Deleted>" in body, (status, body[:300])
    assert not exists(ctx, WRITABLE, key)
    # The bucket itself and ACLs are never anonymous; the read-only public bucket takes no anonymous write even
    # with a correct digest; a listing of the writable bucket is public.
    for method, path in (("PUT", f"/{WRITABLE}"), ("DELETE", f"/{WRITABLE}"), ("PUT", f"/{WRITABLE}?policy"),
                         ("PUT", f"{prefix}/x.txt?acl")):
        status, _, body = ctx.raw(method, path, b"")
        expect_error(status, body, 403, "AccessDenied")
    status, _, body = ctx.raw("PUT", "/public-bucket/selftest-anon.txt", b"no",
                              {"x-amz-content-sha256": sha256_hex(b"no")})
    expect_error(status, body, 403, "AccessDenied")
    status, _, body = ctx.raw("GET", f"/{WRITABLE}?list-type=2&prefix=selftest%2F")
    assert status == 200 and b"ListBucketResult" in body, (status, body[:300])


def base64_md5(data: bytes) -> str:
    import base64
    return base64.b64encode(hashlib.md5(data).digest()).decode()


@test
def awkward_keys_round_trip(ctx: Ctx):
    s3 = ctx.s3
    expected = {seed.AWKWARD_PREFIX + n for n in seed.AWKWARD_NAMES}
    listed = {o["Key"] for o in s3.list_objects_v2(
        Bucket="public-bucket", Prefix=seed.AWKWARD_PREFIX)["Contents"]}
    assert listed == expected, sorted(listed ^ expected)
    for key in sorted(expected):
        assert s3.get_object(Bucket="public-bucket", Key=key)["Body"].read() == key.encode()
        copy = "selftest/" + key
        s3.put_object(Bucket="private-bucket", Key=copy, Body=key.encode())
        assert s3.get_object(Bucket="private-bucket", Key=copy)["Body"].read() == key.encode()
        s3.delete_object(Bucket="private-bucket", Key=copy)
        # Anonymous, with the key encoded the way a strict signer would.
        status, _, body = ctx.raw("GET", "/public-bucket/" + urllib.parse.quote(key, safe="/~"))
        assert status == 200 and body == key.encode(), (key, status, body[:200])
    # Unescaped bytes on the wire: '+', '=', ':' and raw UTF-8 name the same keys.
    for key in (seed.AWKWARD_PREFIX + "plus+sign.txt", seed.AWKWARD_PREFIX + "eq=colon:.txt",
                seed.AWKWARD_PREFIX + "unicodé-ключ.txt"):
        with socket.create_connection((ctx.host, ctx.port), timeout=10) as sock:
            sock.sendall(b"GET /public-bucket/" + key.encode() + b" HTTP/1.1\r\nHost: "
                         + f"{ctx.host}:{ctx.port}".encode() + b"\r\nConnection: close\r\n\r\n")
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(key.encode()), (key, reply[:80])


@test
def keep_alive_survives_rejections(ctx: Ctx):
    c = ctx.conn()
    try:
        path = "/private-bucket/selftest/keepalive.txt"
        bad = ctx.signed("PUT", path, body=b"a" * 5000, secret="wrong")
        status, _, body = ctx.raw("PUT", path, b"a" * 5000, bad, conn=c)
        expect_error(status, body, 403, "SignatureDoesNotMatch")
        status, _, body = ctx.raw("GET", "/public-bucket/public-data/README.txt", conn=c)
        assert status == 200 and body == seed.README_TEXT
        status, _, body = ctx.raw("HEAD", "/private-bucket/nope", headers=ctx.signed(
            "HEAD", "/private-bucket/nope"), conn=c)
        assert status == 404, status
        status, _, body = ctx.raw("GET", "/private-bucket/repos/secret-data/hello.txt",
                                  headers=ctx.signed("GET", "/private-bucket/repos/secret-data/"
                                                     "hello.txt"), conn=c)
        assert status == 200 and body == seed.HELLO_TEXT
    finally:
        c.close()


@test
def sts_web_identity_credentials(ctx: Ctx):
    status, _, body = ctx.assume()
    assert status == 200, (status, body[:300])
    creds = parse_credentials(body)
    akid, secret, token = creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
    temp = seed.client(ctx.endpoint, akid, secret, token)
    assert temp.get_object(Bucket="private-bucket", Key="repos/secret-data/hello.txt")[
        "Body"].read() == seed.HELLO_TEXT
    no_token = seed.client(ctx.endpoint, akid, secret)
    expect_client_error(lambda: no_token.get_object(
        Bucket="private-bucket", Key="repos/secret-data/hello.txt"), 400, "InvalidToken")
    wrong_token = seed.client(ctx.endpoint, akid, secret, token[:-4] + "AAAA")
    expect_client_error(lambda: wrong_token.get_object(
        Bucket="private-bucket", Key="repos/secret-data/hello.txt"), 400, "InvalidToken")
    # Presigned URLs carry the token in the query.
    url = temp.generate_presigned_url("get_object", ExpiresIn=60, Params={
        "Bucket": "private-bucket", "Key": "repos/secret-data/hello.txt"})
    assert "X-Amz-Security-Token" in url
    status, _, body = ctx.raw("GET", url[len(ctx.endpoint):])
    assert status == 200 and body == seed.HELLO_TEXT, (status, body[:300])
    last = ctx.control("GET", "stats")["last_sts_request"]
    assert last["RoleArn"] == ROLE_ARN and last["WebIdentityToken"] == ctx.last_token, last


@test
def sts_refuses_bad_web_identity_tokens(ctx: Ctx):
    # STS's own codes: a token it cannot accept is 400 InvalidIdentityToken, an expired one ExpiredTokenException,
    # an issuer whose keys cannot be fetched IDPCommunicationError. None of them issues credentials.
    issued = ctx.control("GET", "stats")["sts_credentials_issued"]
    now = int(time.time())
    other = Issuer(ISSUER.issuer)  # same issuer and kid, a key the issuer never published
    header, claims, sig = ISSUER.token().split(".")
    cases = [
        ("garbage", "not.a.jwt", "InvalidIdentityToken"),
        ("not three parts", "abc", "InvalidIdentityToken"),
        ("signed by another key", other.token(), "InvalidIdentityToken"),
        ("claims swapped under a valid signature", f"{header}.{other.token().split('.')[1]}.{sig}",
         "InvalidIdentityToken"),
        ("wrong audience", ISSUER.token(aud="s3emu"), "InvalidIdentityToken"),
        ("no audience", ISSUER.token(aud=None), "InvalidIdentityToken"),
        ("expired", ISSUER.token(iat=now - 600, nbf=now - 600, exp=now - 1), "ExpiredTokenException"),
        ("unknown issuer", Issuer("https://unregistered.invalid").token(), "IDPCommunicationError"),
    ]
    for what, token, code in cases:
        status, _, body = ctx.assume(token=token)
        assert (status, error_code(body)) == (400, code), (what, status, body[:300])
    assert ctx.control("GET", "stats")["sts_credentials_issued"] == issued
    assert ctx.control("GET", "stats")["last_token_rejection"].startswith("IDPCommunicationError")
    # STS's clock moved past exp: the same valid token is now expired.
    ctx.control("POST", "sts-clock", {"offset_seconds": 301})
    try:
        status, _, body = ctx.assume()
        assert (status, error_code(body)) == (400, "ExpiredTokenException"), (status, body[:300])
    finally:
        ctx.control("POST", "sts-clock", {"offset_seconds": 0})
    status, _, body = ctx.assume()
    assert status == 200, (status, body[:300])


@test
def sts_fetches_jwks_through_discovery(ctx: Ctx):
    # An issuer with nothing registered: the emulator follows {iss}/.well-known/openid-configuration → jwks_uri.
    with DiscoveryServer() as served:
        status, _, body = ctx.assume(token=served.token())
        assert status == 200, (status, body[:300])
        status, _, body = ctx.assume(token=Issuer(served.issuer, served.kid).token())
        assert (status, error_code(body)) == (400, "InvalidIdentityToken"), (status, body[:300])


@test
def sts_duration_override_and_expiry(ctx: Ctx):
    ctx.control("POST", "sts-duration", {"seconds": 2})
    try:
        status, _, body = ctx.assume()
    finally:
        ctx.control("POST", "sts-duration", {"seconds": None})
    assert status == 200, (status, body[:300])
    creds = parse_credentials(body)
    expires = datetime.datetime.fromisoformat(creds["Expiration"].replace("Z", "+00:00"))
    left = (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 0 < left <= 3, left
    temp = seed.client(ctx.endpoint, creds["AccessKeyId"], creds["SecretAccessKey"],
                       creds["SessionToken"])
    temp.head_object(Bucket="private-bucket", Key="repos/secret-data/hello.txt")
    time.sleep(left + 0.5)
    expect_client_error(lambda: temp.get_object(
        Bucket="private-bucket", Key="repos/secret-data/hello.txt"), 400, "ExpiredToken")


@test
def fault_status(ctx: Ctx):
    ctx.fault(target="s3", mode="status", status=503, count=2)
    for _ in range(2):
        status, _, body = ctx.raw("GET", "/public-bucket/public-data/README.txt")
        expect_error(status, body, 503, "SlowDown")
    status, _, body = ctx.raw("GET", "/public-bucket/public-data/README.txt")
    assert status == 200, "count=2 should clear after two requests"
    ctx.fault(target="sts", mode="status", status=403, count=1)
    status, _, body = ctx.assume()
    expect_error(status, body, 403, "AccessDenied")
    assert b"<Type>Sender</Type>" in body and b"<ErrorResponse" in body
    ctx.fault(target="sts", mode="status", status=500, count=1)
    status, _, body = ctx.assume()
    expect_error(status, body, 500, "InternalFailure")
    status, _, body = ctx.assume()
    assert status == 200, status


@test
def fault_garbage(ctx: Ctx):
    ctx.fault(target="sts", mode="garbage", count=1)
    status, _, body = ctx.assume()
    assert status == 200
    try:
        ET.fromstring(body)
        raise AssertionError(f"garbage parsed as XML: {body!r}")
    except ET.ParseError:
        pass
    ctx.fault(target="s3", mode="garbage", count=1)
    status, _, body = ctx.raw("GET", "/private-bucket?list-type=2", headers=ctx.signed(
        "GET", "/private-bucket?list-type=2"))
    assert status == 200 and b"ListBucketResult" not in body


@test
def fault_reset(ctx: Ctx):
    for target in ("s3", "sts"):
        ctx.fault(target=target, mode="reset", count=1)
        try:
            if target == "sts":
                ctx.assume(timeout=5)
            else:
                ctx.raw("GET", "/public-bucket/public-data/README.txt", timeout=5)
            raise AssertionError(f"{target}: reset fault answered")
        except ConnectionResetError:
            pass
    status, _, _ = ctx.raw("GET", "/public-bucket/public-data/README.txt")
    assert status == 200


@test
def fault_stall_does_not_block_others(ctx: Ctx):
    for target in ("s3", "sts"):
        ctx.fault(target=target, mode="stall", count=1)
        outcome = {}

        def stalled():
            started = time.monotonic()
            try:
                if target == "sts":
                    ctx.assume(timeout=2)
                else:
                    ctx.raw("GET", "/public-bucket/public-data/README.txt", timeout=2)
                outcome["result"] = "answered"
            except (socket.timeout, TimeoutError):
                outcome["result"] = "timeout"
            outcome["elapsed"] = time.monotonic() - started

        t = threading.Thread(target=stalled)
        t.start()
        time.sleep(0.3)
        started = time.monotonic()  # others are served meanwhile
        status, _, body = ctx.raw("GET", "/public-bucket/public-data/README.txt", timeout=5)
        assert status == 200 and time.monotonic() - started < 1.5
        t.join(10)
        assert outcome.get("result") == "timeout" and outcome["elapsed"] >= 1.9, (target, outcome)


@test
def fault_delay_and_clear(ctx: Ctx):
    ctx.fault(target="s3", mode="delay", delay_ms=800)
    for _ in range(2):
        started = time.monotonic()
        status, _, _ = ctx.raw("GET", "/public-bucket/public-data/README.txt")
        assert status == 200 and time.monotonic() - started >= 0.75
    assert ctx.control("GET", "fault")["s3"]["mode"] == "delay"
    ctx.fault(target="s3", mode="none")
    started = time.monotonic()
    status, _, _ = ctx.raw("GET", "/public-bucket/public-data/README.txt")
    assert status == 200 and time.monotonic() - started < 0.75
    ctx.fault(target="sts", mode="delay", delay_ms=600, count=1)
    started = time.monotonic()
    status, _, _ = ctx.assume()
    assert status == 200 and time.monotonic() - started >= 0.55
    assert ctx.control("GET", "fault") == {}


@test
def awscli_v1_smoke(ctx: Ctx):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ctx.akid, AWS_SECRET_ACCESS_KEY=ctx.secret,
               AWS_DEFAULT_REGION="us-east-1")
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    try:
        out = subprocess.run(["aws", "--endpoint-url", ctx.endpoint, "s3", "cp",
                              "s3://private-bucket/repos/secret-data/hello.txt", "-"],
                             env=env, capture_output=True, timeout=60)
    except FileNotFoundError:
        # A missing client proves nothing: it is a failure, not a pass.
        raise AssertionError("aws CLI not found on PATH (the image's pyenv awscli v1 is required)") from None
    assert out.returncode == 0 and out.stdout == seed.HELLO_TEXT, out.stderr.decode()[-500:]


def assume_role_raw(ctx: Ctx, params: dict, *, akid=None, secret=None, token=None, service="sts", tamper=None):
    """A form POST of STS AssumeRole signed by botocore's SigV4Auth (service sts) with a static key (or, with
    `token`, a session: role chaining)."""
    form = urllib.parse.urlencode({"Action": "AssumeRole", "Version": "2011-06-15", **params}).encode()
    req = AWSRequest(method="POST", url=ctx.endpoint + "/", data=form,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    botocore.auth.SigV4Auth(Credentials(akid or ctx.akid, secret or ctx.secret, token), service,
                            "us-east-1").add_auth(req)
    headers = dict(req.headers.items())
    if tamper:
        form = tamper(form)
    return ctx.raw("POST", "/", form, headers)


def partner(**extra) -> dict:
    return {"RoleArn": assume_role.PARTNER_ROLE_ARN, "RoleSessionName": "selftest-partner",
            "ExternalId": assume_role.PARTNER_EXTERNAL_ID, "DurationSeconds": "900", **extra}


@test
def sts_assume_role_with_external_id(ctx: Ctx):
    before = ctx.control("GET", "stats")["sts_assume_role"]
    status, _, body = assume_role_raw(ctx, partner())
    assert status == 200, (status, body[:300])
    assert ET.fromstring(body).tag.endswith("AssumeRoleResponse"), body[:200]
    creds = parse_credentials(body)
    temp = seed.client(ctx.endpoint, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    assert temp.get_object(Bucket="private-bucket", Key="repos/secret-data/hello.txt")[
        "Body"].read() == seed.HELLO_TEXT
    # The session token is verified, and the role reads only its buckets.
    wrong_token = seed.client(ctx.endpoint, creds["AccessKeyId"], creds["SecretAccessKey"],
                              creds["SessionToken"][:-4] + "AAAA")
    expect_client_error(lambda: wrong_token.get_object(
        Bucket="private-bucket", Key="repos/secret-data/hello.txt"), 400, "InvalidToken")
    expect_client_error(lambda: temp.list_objects_v2(Bucket=WRITABLE), 403, "AccessDenied")
    stats = ctx.control("GET", "stats")
    assert stats["sts_assume_role"] == before + 1, stats["sts_assume_role"]
    assert stats["last_assume_role_request"]["ExternalId"] == assume_role.PARTNER_EXTERNAL_ID


@test
def sts_assume_role_refusals(ctx: Ctx):
    # What real STS refuses, with its codes; none of them issues credentials.
    issued = ctx.control("GET", "stats")["sts_credentials_issued"]
    other_role = assume_role.PARTNER_ROLE_ARN.replace("s3-edge-proxy-reader", "nobody")
    no_external_id = partner()
    del no_external_id["ExternalId"]
    cases = [
        ("wrong ExternalId", dict(params=partner(ExternalId="s3p-partner-7f3b:demo")), 403, "AccessDenied"),
        ("missing ExternalId", dict(params=no_external_id), 403, "AccessDenied"),
        ("unknown role", dict(params=partner(RoleArn=other_role)), 403, "AccessDenied"),
        ("wrong secret (bad signature)", dict(params=partner(), secret=ctx.secret + "x"), 403,
         "SignatureDoesNotMatch"),
        ("form altered after signing", dict(params=partner(), tamper=lambda f: f.replace(b"900", b"901")), 403,
         "SignatureDoesNotMatch"),
        ("unknown key", dict(params=partner(), akid="AKIDNOSUCHKEY0000000"), 403, "InvalidClientTokenId"),
        ("signed for s3, not sts", dict(params=partner(), service="s3"), 400, "IncompleteSignature"),
        ("DurationSeconds 899", dict(params=partner(DurationSeconds="899")), 400, "ValidationError"),
        ("DurationSeconds 43201", dict(params=partner(DurationSeconds="43201")), 400, "ValidationError"),
        ("ExternalId with a space", dict(params=partner(ExternalId="a b")), 400, "ValidationError"),
        ("ExternalId of 1 character", dict(params=partner(ExternalId="a")), 400, "ValidationError"),
        ("RoleSessionName of 1 character", dict(params=partner(RoleSessionName="a")), 400, "ValidationError"),
    ]
    for what, kw, want_status, want_code in cases:
        status, _, body = assume_role_raw(ctx, **kw)
        assert (status, error_code(body)) == (want_status, want_code), (what, status, body[:300])
    form = urllib.parse.urlencode({"Action": "AssumeRole", "Version": "2011-06-15", **partner()}).encode()
    status, _, body = ctx.raw("POST", "/", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert (status, error_code(body)) == (403, "MissingAuthenticationToken"), (status, body[:300])
    stats = ctx.control("GET", "stats")
    assert stats["sts_credentials_issued"] == issued, "a refused AssumeRole issued credentials"
    assert stats["last_assume_role_rejection"].startswith("MissingAuthenticationToken"), stats
    # A role added through the control API (no ExternalId condition, one hour at most).
    ctx.control("POST", "roles", {"arn": other_role, "external_id": None, "buckets": ["private-bucket"],
                                  "max_session_s": 3600})
    try:
        status, _, body = assume_role_raw(ctx, no_external_id | {"RoleArn": other_role})
        assert status == 200, (status, body[:300])
        status, _, body = assume_role_raw(ctx, no_external_id | {"RoleArn": other_role, "DurationSeconds": "3601"})
        assert (status, error_code(body)) == (400, "ValidationError"), (status, body[:300])
    finally:
        ctx.control("POST", "roles", {"arn": other_role, "delete": True})


GCP_PROVIDER = ("//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/selftest-pool"
                "/providers/selftest-idp")
GCP_SA = "selftest@selftest-project.iam.gserviceaccount.com"


def gcp_sts(ctx: Ctx, **fields):
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "audience": GCP_PROVIDER,
            "scope": "https://www.googleapis.com/auth/cloud-platform",
            "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "subject_token": ISSUER.token(aud="https:" + GCP_PROVIDER),
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt"}
    form.update(fields)
    status, _, body = ctx.raw("POST", "/__gcp/sts/v1/token", urllib.parse.urlencode(form).encode(),
                              {"Content-Type": "application/x-www-form-urlencoded"})
    return status, json.loads(body)


@test
def gcp_workload_identity_stand_ins(ctx: Ctx):
    # Google STS verifies the subject token (JWKS, iss, aud = the provider's URL, exp) and the form; iamcredentials
    # wants a federated Bearer it issued; GCS XML takes only the Bearer tokens issued here, unexpired.
    ctx.control("POST", "jwks", {"issuer": ISSUER.issuer, "jwks": ISSUER.jwks()})
    ctx.control("POST", "gcp", {"providers": {GCP_PROVIDER: {"issuer": ISSUER.issuer, "service_accounts": [GCP_SA]}}})
    status, answer = gcp_sts(ctx)
    assert status == 200 and answer["token_type"] == "Bearer" and answer["expires_in"] > 0, (status, answer)
    federated = answer["access_token"]
    now = int(time.time())
    refusals = [
        ({"subject_token": ISSUER.token(aud="sts.amazonaws.com")}, "invalid_grant"),
        ({"subject_token": ISSUER.token(iat=now - 600, nbf=now - 600, exp=now - 1)}, "invalid_grant"),
        ({"subject_token": "not.a.jwt"}, "invalid_grant"),
        ({"audience": "projects/123/providers/x"}, "invalid_request"),
        ({"audience": GCP_PROVIDER.replace("selftest-idp", "other-idp")}, "invalid_target"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"subject_token_type": "urn:ietf:params:oauth:token-type:saml2"}, "invalid_request"),
    ]
    for fields, code in refusals:
        status, answer = gcp_sts(ctx, **fields)
        assert (status, answer.get("error")) == (400, code), (fields, status, answer)
    path = f"/__gcp/iam/v1/projects/-/serviceAccounts/{GCP_SA}:generateAccessToken"
    req = json.dumps({"scope": ["https://www.googleapis.com/auth/devstorage.read_only"], "lifetime": "600s"}).encode()
    status, _, body = ctx.raw("POST", path, req, {"Authorization": "Bearer ya29.unknown"})
    assert status == 401 and json.loads(body)["error"]["status"] == "UNAUTHENTICATED", (status, body)
    other = path.replace("selftest@", "nobody@")
    status, _, body = ctx.raw("POST", other, req, {"Authorization": f"Bearer {federated}"})
    assert status == 403 and json.loads(body)["error"]["status"] == "PERMISSION_DENIED", (status, body)
    status, _, body = ctx.raw("POST", path, req, {"Authorization": f"Bearer {federated}"})
    assert status == 200, (status, body)
    sa_token = json.loads(body)["accessToken"]
    for token in (federated, sa_token):
        status, _, body = ctx.raw("GET", "/private-bucket/repos/secret-data/hello.txt",
                                  headers={"Authorization": f"Bearer {token}"})
        assert status == 200 and body == seed.HELLO_TEXT, (status, body[:300])
    status, _, body = ctx.raw("GET", "/private-bucket/repos/secret-data/hello.txt",
                              headers={"Authorization": "Bearer ya29.forged"})
    assert (status, error_code(body)) == (401, "AuthenticationRequired"), (status, body[:300])


@test
def sts_assume_role_chained(ctx: Ctx):
    # Role chaining: a session STS issued calls AssumeRole with its token; the caller is then the role it is of.
    status, _, body = assume_role_raw(ctx, partner())
    assert status == 200, (status, body[:300])
    c = parse_credentials(body)
    session = dict(akid=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"])
    chained = assume_role.PARTNER_ROLE_ARN.replace("s3-edge-proxy-reader", "chained")
    elsewhere = assume_role.PARTNER_ROLE_ARN.replace("s3-edge-proxy-reader", "trusts-another")
    ask = {"RoleArn": chained, "RoleSessionName": "selftest-chained", "DurationSeconds": "3600"}
    ctx.control("POST", "roles", {"arn": chained, "external_id": None, "principals": [assume_role.PARTNER_ROLE_ARN],
                                  "buckets": ["private-bucket"], "max_session_s": 43200})
    ctx.control("POST", "roles", {"arn": elsewhere, "external_id": None, "principals": ["arn:aws:iam::1:role/x"],
                                  "buckets": ["private-bucket"], "max_session_s": 43200})
    try:
        status, _, body = assume_role_raw(ctx, ask, **session)
        assert status == 200, (status, body[:300])
        cases = [
            ("a chained session over an hour", dict(params=ask | {"DurationSeconds": "3601"}, **session), 400,
             "ValidationError"),
            ("a role that trusts another principal", dict(params=ask | {"RoleArn": elsewhere}, **session), 403,
             "AccessDenied"),
            ("the session's token altered", dict(params=ask, **(session | {"token": session["token"][:-4] + "AAAA"})),
             403, "InvalidClientTokenId"),
            ("the session's keys without its token", dict(params=ask, **(session | {"token": None})), 403,
             "InvalidClientTokenId"),
        ]
        for what, kw, want_status, want_code in cases:
            status, _, body = assume_role_raw(ctx, **kw)
            assert (status, error_code(body)) == (want_status, want_code), (what, status, body[:300])
    finally:
        ctx.control("POST", "roles", {"arn": chained, "delete": True})
        ctx.control("POST", "roles", {"arn": elsewhere, "delete": True})


@test
def stats_count_everything(ctx: Ctx):
    stats = ctx.control("GET", "stats")
    assert stats["sts_exchanges"] == ctx.sts_exchanges, (stats["sts_exchanges"], ctx.sts_exchanges)
    if ctx.full_run:  # the thresholds only hold after every test above has run
        assert stats["s3_requests"] > 50 and stats["rejected"] >= 20, stats
        assert stats["last_rejection"] and ":" in stats["last_rejection"], stats
        assert stats["rejections_by_code"].get("SignatureDoesNotMatch", 0) >= 5, stats
    ctx.control("POST", "reset-stats")
    stats = ctx.control("GET", "stats")
    assert stats["sts_exchanges"] == 0 and stats["s3_requests"] == 0


def main() -> int:
    p = argparse.ArgumentParser(description="Self-check of the S3 emulator front.")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--key", required=True, metavar="AKID:SECRET")
    p.add_argument("-k", "--filter", help="run only tests whose name contains this")
    args = p.parse_args()
    akid, _, secret = args.key.partition(":")
    ctx = Ctx(args.endpoint, akid, secret)
    ctx.full_run = not args.filter
    passed = failed = 0
    for fn in TESTS:
        if args.filter and args.filter not in fn.__name__:
            continue
        started = time.monotonic()
        try:
            fn(ctx)
            passed += 1
            print(f"PASS {fn.__name__} ({time.monotonic() - started:.1f}s)")
        except Exception as exc:  # noqa: BLE001 - report every failure and go on
            failed += 1
            print(f"FAIL {fn.__name__}: {type(exc).__name__}: {exc}")
            if os.environ.get("SELFTEST_TRACEBACK"):
                traceback.print_exc()
    try:  # never leave faults armed behind us
        ctx.fault(target="s3", mode="none")
        ctx.fault(target="sts", mode="none")
        ctx.control("POST", "sts-duration", {"seconds": None})
    except Exception:  # noqa: BLE001
        pass
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
