#!/usr/bin/env python3
"""Local S3 + STS emulator that verifies SigV4.

A stdlib reverse proxy ("front") in front of a stock ``moto_server`` child.
Stock moto accepts any signature, so the front verifies every S3 request
itself (sigv4_verify.py) and forwards only valid ones; STS
AssumeRoleWithWebIdentity is unsigned by design: its JWT is verified against the
issuer's JWKS (web_identity.py) and only then forwarded, and the credentials it
issues are remembered so later S3 requests signed with them verify.  A small control API under /__emu/ reports counters and arms faults
(faults.py).

    python3 tests/emulator/s3emu.py --port 19000 --key AKID:SECRET \
        --public-bucket public-bucket [--public-write-bucket scratch-bucket] \
        [--moto-port 19001] [--region us-east-1] [--verbose]

Prints ``READY http://127.0.0.1:PORT`` on stdout once both halves answer.  ``--port 0`` lets the
kernel choose a free port (the READY line names the one bound) and moto gets a free port too, so
several emulators (two ./scripts/test runs) can run on one machine side by side.

Control API (JSON; never verified, never forwarded):
    GET  /__emu/stats          counters, last rejection, armed faults
    POST /__emu/reset-stats
    GET|POST /__emu/fault      {"target": "sts"|"s3", "mode": "none"|"stall"|"status"|
                               "garbage"|"reset"|"delay", "status": 500, "delay_ms": 2000,
                               "count": N, "code": "optional error code"}
    GET|POST /__emu/sts-duration  {"seconds": N | null}: issued credentials expire N s
                               after issue (the Expiration in the STS answer is rewritten)
    GET|POST /__emu/jwks       {"issuer": URL, "jwks": {"keys": [...]} | null}: the keys STS trusts
                               for tokens from that issuer (instead of fetching its discovery URL)
    GET|POST /__emu/sts-clock  {"offset_seconds": N}: STS judges token expiry N s in the future
    GET  /__emu/requests?since=SEQ  what the backend received (S3 and STS): method, raw target, headers
    GET  /__emu/credentials    the temporary credentials STS issued and the web-identity tokens it received
    POST /__emu/release-stalls every stalled request ends now (its connection closes)
    GET|POST /__emu/entra      Microsoft Entra token endpoint stand-in (entra.py): tenants, apps, federated
                               credentials, token lifetime; POST /__emu/entra/introspect {"token"}: a bearer's verdict
    GET  /__emu/health
See README.md for the verification rules and error codes.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import xml.etree.ElementTree as ET
from collections import deque
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402
import sigv4_verify as sv  # noqa: E402
import web_identity  # noqa: E402
import assume_role  # noqa: E402
import gcp  # noqa: E402
import entra  # noqa: E402

COPY_CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024  # request bodies above this spill to a temp file
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer",
              "transfer-encoding", "upgrade", "expect", "proxy-authenticate",
              "proxy-authorization"}
STS_WEB_IDENTITY = "AssumeRoleWithWebIdentity"
STS_ASSUME_ROLE = "AssumeRole"
ANONYMOUS = "s3emu-anonymous"  # the principal of unsigned requests (never a key anyone can sign with)
_RAW_HIGH_BYTES = re.compile("[\x80-\xff]")
REQUEST_LOG_SIZE = 2000  # the most recent requests /__emu/requests can show
PR_SET_PDEATHSIG = 1


# --------------------------------------------------------------------------
# Shared state
# --------------------------------------------------------------------------

class State:
    def __init__(self, keys: dict, public_buckets: set, region: str, moto_port: int,
                 verbose: bool, public_write_buckets: frozenset = frozenset()):
        self.lock = threading.Lock()
        self.static = {akid: sv.Credential(secret) for akid, secret in keys.items()}
        self.temporary: dict[str, sv.Credential] = {}
        # Temporary access key id -> the role its session is of: the principal a chained AssumeRole is called by.
        self.session_roles: dict[str, str] = {}
        self.public_buckets = public_buckets
        self.public_write_buckets = public_write_buckets
        self.region = region
        self.moto_port = moto_port
        self.verbose = verbose
        self.faults = faults.FaultTable()
        self.sts_duration: Optional[int] = None
        self.jwks = web_identity.JwksRegistry()
        self.roles = assume_role.RoleTable()
        self.gcp = gcp.GcpStandIn()  # Google STS, iamcredentials and GCS bearer tokens (gcp.py)
        self.entra = entra.EntraStandIn()  # Microsoft Entra's token endpoint and its bearer tokens (entra.py)
        # Temporary access key id -> the buckets its role may read (credentials from AssumeRole only).
        self.role_buckets: dict[str, frozenset] = {}
        self.sts_clock_offset = 0.0
        # What the backend actually received (S3 and STS), newest last: tests assert on the exact request target
        # and headers (nothing injected, no key outside a prefix). Sequence numbers let a test read only its own.
        self.requests: deque = deque(maxlen=REQUEST_LOG_SIZE)
        self.request_seq = 0
        self.web_identity_tokens: deque = deque(maxlen=REQUEST_LOG_SIZE)
        self.stall_generation = 0
        self.reset_stats()

    def log_request(self, target: str, method: str, raw_target: str, headers) -> None:
        with self.lock:
            self.request_seq += 1
            self.requests.append({"seq": self.request_seq, "target": target, "method": method,
                                  "path": raw_target, "headers": [[n, v] for n, v in headers]})

    def reset_stats(self) -> None:
        with self.lock:
            self.stats = {"sts_exchanges": 0, "sts_requests": 0, "sts_credentials_issued": 0,
                          "s3_requests": 0, "s3_forwarded": 0, "s3_anonymous": 0,
                          "rejected": 0, "last_rejection": None, "rejections_by_code": {},
                          "faults_injected": 0, "last_sts_request": None,
                          "sts_tokens_rejected": 0, "last_token_rejection": None,
                          "sts_assume_role": 0, "last_assume_role_request": None,
                          "assume_role_rejected": 0, "last_assume_role_rejection": None,
                          "stalled_now": getattr(self, "stats", {}).get("stalled_now", 0)}

    def bump(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.stats[name] += n

    def lookup(self, akid: str) -> Optional[sv.Credential]:
        with self.lock:
            return self.static.get(akid) or self.temporary.get(akid)

    def static_secret(self, akid: str) -> Optional[str]:
        """The secret of a long-lived key."""
        with self.lock:
            cred = self.static.get(akid)
            return cred.secret if cred else None

    def session_secret(self, akid: str, token: Optional[str]) -> Optional[str]:
        """The secret of an unexpired session STS issued, when the request carries its session token (role
        chaining: a session calling AssumeRole)."""
        with self.lock:
            cred = self.temporary.get(akid)
        if cred is None or token is None or cred.token is None:
            return None
        if not hmac.compare_digest(cred.token.encode(), token.encode()):
            return None
        if cred.expiration is not None and cred.expiration <= time.time():
            return None
        return cred.secret


# --------------------------------------------------------------------------
# Backend connection
# --------------------------------------------------------------------------

class BackendConnection(http.client.HTTPConnection):
    """HTTPConnection that sends the request-target byte-for-byte.

    http.server gives us the request line decoded as ISO-8859-1; http.client
    would insist on ASCII.  Encoding back as ISO-8859-1 reproduces the client's
    exact bytes (raw UTF-8 in a path included), so moto sees what we verified.
    """

    def _encode_request(self, request: str) -> bytes:
        return request.encode("latin-1")

    def connect(self) -> None:
        super().connect()
        # Headers and body go out as separate writes; without NODELAY, Nagle
        # plus delayed ACKs add ~40 ms to every small request.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Body:
    """A fully received request body, spooled, with its SHA-256."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
        self.length = 0
        self._hash = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self._hash.update(data)
        self.length += len(data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        self.file.close()


class ClientGone(Exception):
    """The client closed or broke the connection mid-request."""


# --------------------------------------------------------------------------
# Request handler
# --------------------------------------------------------------------------

class Front(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "s3emu"
    sys_version = ""
    timeout = 300  # idle keep-alive connections are dropped after this

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # see connect()

    # ---- dispatch -------------------------------------------------------

    def _dispatch(self) -> None:
        state: State = self.server.state
        started = time.monotonic()
        self.status_sent = None
        self.verdict = "-"
        body = None
        try:
            path, query = sv.split_target(self.path)
            if path.startswith("/__emu/"):
                self._control(path)
                return
            if self.command in ("PUT", "POST") and self._upload_fault(path):
                return
            body = self._read_body()
            if path.startswith("/__gcp/"):
                self._gcp(path, body)
                return
            if path.startswith("/__entra/"):
                self._entra(path, body)
                return
            action, params = self._sts_action(path, query, body)
            if action:
                self._sts(action, params, body)
            else:
                self._s3(path, body)
        except ClientGone:
            self.close_connection = True
            self.verdict = self.verdict if self.verdict != "-" else "client-gone"
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            self.verdict += "+client-gone"
        except Exception as exc:  # a bug or a broken backend stream: say so, loudly
            self.close_connection = True
            self.verdict += f"+error:{type(exc).__name__}"
            traceback.print_exc()
            if self.status_sent is None:
                self.send_raw(500, faults.s3_error(500, "InternalError", f"s3emu: {exc!r}"),
                              "application/xml")
        finally:
            if body is not None:
                body.close()
            if state.verbose:
                ms = (time.monotonic() - started) * 1000
                sys.stderr.write(f"s3emu: {self.command} {self.path} {self.status_sent or '-'} "
                                 f"{self.verdict} {ms:.0f}ms\n")

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = do_OPTIONS = do_PATCH = _dispatch

    def log_message(self, fmt, *args) -> None:  # http.server's own chatter
        if self.server.state.verbose:
            sys.stderr.write("s3emu: " + (fmt % args) + "\n")

    def send_response_only(self, code, message=None) -> None:
        self.status_sent = code
        super().send_response_only(code, message)

    # ---- request body ---------------------------------------------------

    def _read_body(self) -> Body:
        body = Body()
        try:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                self._read_http_chunked(body)
            else:
                remaining = int(self.headers.get("Content-Length") or 0)
                while remaining > 0:
                    data = self.rfile.read(min(COPY_CHUNK, remaining))
                    if not data:
                        raise ClientGone()
                    body.write(data)
                    remaining -= len(data)
        except (ValueError, OSError) as exc:
            body.close()
            raise ClientGone() from exc
        body.file.seek(0)
        return body

    def _read_http_chunked(self, body: Body) -> None:
        while True:
            line = self.rfile.readline(4096)
            if not line:
                raise ClientGone()
            size = int(line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                break
            remaining = size
            while remaining:
                data = self.rfile.read(min(COPY_CHUNK, remaining))
                if not data:
                    raise ClientGone()
                body.write(data)
                remaining -= len(data)
            self.rfile.readline(4096)  # CRLF after the chunk
        while self.rfile.readline(4096) not in (b"\r\n", b"\n", b""):
            pass  # HTTP trailers are dropped

    # ---- responses ------------------------------------------------------

    def send_raw(self, status: int, body: bytes, ctype: str,
                 headers: Optional[dict] = None) -> None:
        self.send_response_only(status)
        self.send_header("Date", self.date_time_string())
        self.send_header("Server", "s3emu")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amz-request-id", faults.request_id())
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, obj, status: int = 200) -> None:
        self.send_raw(status, (json.dumps(obj, indent=1) + "\n").encode(), "application/json")

    def _reject(self, err: sv.SigV4Error, path: str) -> None:
        state: State = self.server.state
        with state.lock:
            state.stats["rejected"] += 1
            by_code = state.stats["rejections_by_code"]
            by_code[err.code] = by_code.get(err.code, 0) + 1
            state.stats["last_rejection"] = f"{err.code}: {self.command} {path}: {err.message}"
        self.verdict = f"reject:{err.code}"
        extra = "".join(f"<{k}>{_xml_escape(v)}</{k}>" for k, v in err.extra.items())
        xml = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{err.code}</Code>"
               f"<Message>{_xml_escape(err.message)}</Message>{extra}"
               f"<RequestId>{faults.request_id()}</RequestId><HostId>s3emu</HostId></Error>")
        self.send_raw(err.status, xml.encode("utf-8"), "application/xml")

    # ---- forwarding -----------------------------------------------------

    def _forward(self, body_file, length: int, drop=(), extra=()) -> None:
        """Send this request to moto and stream moto's answer back."""
        state: State = self.server.state
        # Headers named in Connection are hop-by-hop too (RFC 9110 7.6.1).
        drop = set(drop) | {t.strip().lower()
                            for t in self.headers.get("Connection", "").split(",")}
        target = self.path
        if not target.startswith("/"):  # absolute-form request-target
            path, query = sv.split_target(target)
            target = path + ("?" + query if query else "")
        # moto mis-decodes raw (unescaped) UTF-8 in the request line; escaping
        # those bytes names the same S3 key and is what moto understands.
        target = _RAW_HIGH_BYTES.sub(lambda m: "%%%02X" % ord(m.group()), target)
        target = self._null_version(target)
        conn = BackendConnection("127.0.0.1", state.moto_port, timeout=300)
        try:
            try:
                conn.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
                conn.putheader("Host", f"127.0.0.1:{state.moto_port}")
                for name, value in self.headers.items():
                    lname = name.lower()
                    if lname in HOP_BY_HOP or lname in drop or lname in ("host", "content-length"):
                        continue
                    conn.putheader(name, value)
                for name, value in extra:
                    conn.putheader(name, value)
                if length or self.command in ("PUT", "POST"):
                    conn.putheader("Content-Length", str(length))
                conn.endheaders()
                while True:
                    data = body_file.read(COPY_CHUNK)
                    if not data:
                        break
                    conn.send(data)
                resp = conn.getresponse()
            except OSError as exc:
                self.verdict += "+backend-error"
                xml = faults.s3_error(503, "ServiceUnavailable", f"moto backend unreachable: {exc}")
                self.send_raw(503, xml, "application/xml")
                return
            if (resp.status == 500 and self.command == "POST" and "uploadId=" in target
                    and "xml" not in (resp.getheader("Content-Type") or "")):
                # moto 5.2.1 crashes (KeyError, an HTML 500) completing an upload id it does not know; S3
                # answers 404 NoSuchUpload, as moto itself does for ListParts and Abort with that id.
                resp.read()
                self.verdict += "+moto-no-such-upload"
                xml = faults.s3_error(404, "NoSuchUpload", "The specified upload does not exist.")
                self.send_raw(404, xml, "application/xml")
                return
            self._relay(resp, fault=getattr(self, "body_fault", None))
        finally:
            conn.close()

    def _null_version(self, target: str) -> str:
        """versionId=null names S3's null version: in a bucket that never had versioning, the object itself (S3
        answers it; rclone 1.60 HEADs ?versionId=null after a multipart upload). moto refuses any versionId on an
        unversioned bucket (400, no body), so there the parameter is dropped; a versioned bucket gets it as sent
        (moto's null versions are named "null"). The request was verified as sent before this."""
        path, _, query = target.partition("?")
        params = query.split("&") if query else []
        if "versionId=null" not in params:
            return target
        bucket = path.lstrip("/").split("/", 1)[0]
        conn = BackendConnection("127.0.0.1", self.server.state.moto_port, timeout=30)
        try:
            conn.request("GET", f"/{bucket}?versioning", headers={"Host": f"127.0.0.1:{self.server.state.moto_port}"})
            versioning = conn.getresponse().read().decode("utf-8", "replace")
        finally:
            conn.close()
        if "<Status>" in versioning:  # Enabled or Suspended: the bucket has (or had) versions
            return target
        rest = [p for p in params if p != "versionId=null"]
        return path + ("?" + "&".join(rest) if rest else "")

    def _relay(self, resp: http.client.HTTPResponse, body: Optional[bytes] = None,
               fault: Optional[dict] = None) -> None:
        """Copy status, headers and body; ``body`` replaces the payload if given; ``fault`` (a body mode of
        faults.py) misbehaves once the headers are out."""
        if fault is not None and fault["mode"] == "truncated" and "xml" not in (resp.getheader("Content-Type") or ""):
            fault = None  # only documents are cut (an object's bytes are opaque: a short body is a reset's job)
        if fault is not None and fault["mode"] == "truncated":
            data = resp.read()
            body = data[: len(data) // 2]  # a complete HTTP message whose document stops halfway
        self.send_response_only(resp.status, resp.reason)
        has_length = False
        for name, value in resp.getheaders():
            lname = name.lower()
            if lname in HOP_BY_HOP:
                continue
            if lname == "content-length":
                has_length = True
                if body is not None:
                    value = str(len(body))
            self.send_header(name, value)
        body_allowed = (self.command != "HEAD" and resp.status >= 200
                        and resp.status not in (204, 304))
        chunked = body_allowed and not has_length and body is None
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif body is not None and not has_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not body_allowed:
            return
        if body is not None:
            self.wfile.write(body)
            return
        sent = 0
        while True:
            data = resp.read1(COPY_CHUNK)
            if not data:
                break
            if fault is not None and fault["mode"] != "truncated":
                if fault["mode"] == "trickle":
                    faults.trickle(self, data, fault, chunked)
                    continue
                cut = max(0, fault["after_bytes"] - sent)
                if cut < len(data):  # stall-body / reset-body: the first after_bytes go out, then the fault
                    if cut:
                        self.wfile.write(b"%x\r\n%s\r\n" % (cut, data[:cut]) if chunked else data[:cut])
                    self.wfile.flush()
                    faults.apply(self, "s3", {**fault, "mode": fault["mode"].split("-")[0]})
                    return
            sent += len(data)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        elif resp.length:
            self.close_connection = True  # moto sent less than it announced

    def _upload_fault(self, path: str) -> bool:
        """reset-upload / stall-upload: read only part of an S3 upload's body, then misbehave. True if acted."""
        state: State = self.server.state
        if path in ("", "/") or not state.faults.peek("s3", faults.UPLOAD_MODES):
            return False
        fault = state.faults.take("s3")
        state.bump("s3_requests")
        state.bump("faults_injected")
        state.log_request("s3", self.command, self.path, self.headers.items())
        self.verdict = f"fault:{fault['mode']}"
        remaining = min(fault["after_bytes"], int(self.headers.get("Content-Length") or fault["after_bytes"]))
        while remaining > 0:
            data = self.rfile.read1(min(COPY_CHUNK, remaining)) if hasattr(self.rfile, "read1") else self.rfile.read(min(COPY_CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
        faults.apply(self, "s3", {**fault, "mode": fault["mode"].split("-")[0]})
        return True

    # ---- STS ------------------------------------------------------------

    def _sts_action(self, path: str, query: str, body: Body):
        """(Action, params) when this is an STS call, else (None, None)."""
        if path not in ("", "/"):
            return None, None
        params = dict(urllib.parse.parse_qsl(query))
        if self.command == "POST" and body.length < 1024 * 1024:
            params.update(urllib.parse.parse_qsl(body.file.read().decode("utf-8", "replace")))
            body.file.seek(0)
        action = params.get("Action")
        return (action, params) if action else (None, None)

    def _sts(self, action: str, params: dict, body: Body) -> None:
        state: State = self.server.state
        state.bump("sts_requests")
        state.log_request("sts", self.command, self.path, self.headers.items())
        if action == STS_WEB_IDENTITY:
            with state.lock:
                state.stats["sts_exchanges"] += 1
                state.stats["last_sts_request"] = {
                    k: params.get(k) for k in ("RoleArn", "RoleSessionName",
                                               "WebIdentityToken", "DurationSeconds")}
                if params.get("WebIdentityToken"):
                    state.web_identity_tokens.append(params["WebIdentityToken"])
        elif action == STS_ASSUME_ROLE:
            with state.lock:
                state.stats["sts_assume_role"] += 1
                state.stats["last_assume_role_request"] = {
                    k: params.get(k) for k in ("RoleArn", "RoleSessionName", "ExternalId", "DurationSeconds")}
        self.verdict = f"sts:{action}"
        self.sts_role_arn = params.get("RoleArn")
        fault = state.faults.take("sts")
        self.sts_fault = None
        if fault:
            state.bump("faults_injected")
            self.verdict += f"+fault:{fault['mode']}"
            if fault["mode"] in ("truncated", "expired"):
                self.sts_fault = fault["mode"]  # acted out on moto's answer (_forward_sts)
            elif faults.apply(self, "sts", fault):
                return
        if action == STS_WEB_IDENTITY and not self._token_accepted(params.get("WebIdentityToken", "")):
            return
        role = None
        if action == STS_ASSUME_ROLE:
            role = self._role_granted(params, body)
            if role is None:
                return
        self._forward_sts(body, role)

    def _role_granted(self, params: dict, body: Body) -> Optional[dict]:
        """Verifies an AssumeRole as STS would (signature, parameters, trust policy, ExternalId, duration);
        answers STS's error and returns None when it is refused."""
        state: State = self.server.state
        try:
            data = body.file.read()
            body.file.seek(0)
            token = sv.header_value(self.headers.items(), "x-amz-security-token")
            caller = assume_role.verify_signature(
                self.command, self.path, self.headers.items(), data, region=state.region,
                lookup=lambda akid: state.static_secret(akid) or state.session_secret(akid, token))
            with state.lock:
                chained_from = None if caller in state.static else state.session_roles.get(caller)
            if caller not in state.static and chained_from is None:
                raise assume_role.RoleRejected("InvalidClientTokenId", "The security token included in the request is invalid.")
            return assume_role.check_request(params, chained_from or caller, state.roles, chained=chained_from is not None)
        except assume_role.RoleRejected as rej:
            with state.lock:
                state.stats["assume_role_rejected"] += 1
                state.stats["last_assume_role_rejection"] = f"{rej.code}: {rej.message}"
            self.verdict += f"+assume-role:{rej.code}"
            self.send_raw(rej.status, faults.sts_error(rej.status, rej.code, rej.message), "text/xml")
            return None

    def _token_accepted(self, token: str) -> bool:
        """Verifies the web-identity JWT as STS would; answers STS's error when it is refused."""
        state: State = self.server.state
        try:
            web_identity.verify(token, state.jwks, time.time() + state.sts_clock_offset)
            return True
        except web_identity.TokenRejected as rej:
            with state.lock:
                state.stats["sts_tokens_rejected"] += 1
                state.stats["last_token_rejection"] = f"{rej.code}: {rej.message}"
            self.verdict += f"+token:{rej.code}"
            self.send_raw(rej.status, faults.sts_error(rej.status, rej.code, rej.message), "text/xml")
            return False

    def _forward_sts(self, body: Body, role: Optional[dict] = None) -> None:
        """Forward, then learn (and maybe re-date) any credentials in the answer."""
        state: State = self.server.state
        conn = BackendConnection("127.0.0.1", state.moto_port, timeout=60)
        try:
            headers = {n: v for n, v in self.headers.items()
                       if n.lower() not in HOP_BY_HOP | {"host", "content-length"}}
            headers["Host"] = f"127.0.0.1:{state.moto_port}"
            conn.request(self.command, self.path, body.file.read(), headers)
            resp = conn.getresponse()
            data = resp.read()
        except OSError as exc:
            self.send_raw(503, faults.sts_error(503, "ServiceUnavailable"), "text/xml")
            self.verdict += f"+backend-error:{exc}"
            return
        finally:
            conn.close()
        if resp.status == 200:
            data = self._learn_credentials(data, expired=self.sts_fault == "expired", role_arn=self.sts_role_arn,
                                           buckets=frozenset(role["buckets"]) if role else None)
        if self.sts_fault == "truncated":
            data = data[: len(data) // 2]
        self._relay(resp, data)

    def _learn_credentials(self, data: bytes, expired: bool = False, role_arn: Optional[str] = None,
                           buckets: Optional[frozenset] = None) -> bytes:
        state: State = self.server.state
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            return data
        creds = next((e for e in root.iter() if _local(e.tag) == "Credentials"), None)
        if creds is None:
            return data
        fields = {_local(c.tag): (c.text or "") for c in creds}
        if not {"AccessKeyId", "SecretAccessKey", "SessionToken"} <= fields.keys():
            return data
        expiration = _parse_iso(fields.get("Expiration", ""))
        if expired:  # the "expired" fault: credentials that ran out a minute before they were handed over
            expiration = float(int(time.time()) - 60)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expiration)).encode()
            data = re.sub(rb"<Expiration>[^<]*</Expiration>",
                          b"<Expiration>" + stamp + b"</Expiration>", data, count=1)
        elif state.sts_duration is not None:
            # Re-date the answer so clients see (and refresh on) a short lifetime.
            # Whole seconds, so the instant we enforce is exactly the one reported.
            expiration = float(int(time.time()) + state.sts_duration)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expiration)).encode()
            data = re.sub(rb"<Expiration>[^<]*</Expiration>",
                          b"<Expiration>" + stamp + b"</Expiration>", data, count=1)
        with state.lock:
            state.temporary[fields["AccessKeyId"]] = sv.Credential(
                fields["SecretAccessKey"], fields["SessionToken"], expiration)
            if buckets is not None:  # an assumed role reads only what its permissions policy names
                state.role_buckets[fields["AccessKeyId"]] = buckets
            if role_arn:
                state.session_roles[fields["AccessKeyId"]] = role_arn
            state.stats["sts_credentials_issued"] += 1
        return data

    # ---- S3 -------------------------------------------------------------

    def _s3(self, path: str, body: Body) -> None:
        state: State = self.server.state
        state.bump("s3_requests")
        state.log_request("s3", self.command, self.path, self.headers.items())
        fault = state.faults.take("s3")
        self.body_fault = None
        if fault:
            state.bump("faults_injected")
            self.verdict = f"fault:{fault['mode']}"
            if fault["mode"] in faults.BODY_MODES:
                self.body_fault = fault  # acted out on moto's answer (_relay)
            elif faults.apply(self, "s3", fault):
                return
        headers = self.headers.items()
        authorization = self.headers.get("Authorization", "")
        if authorization.startswith("Bearer "):  # GCS XML with a GCP access token (gcp.py)
            why = state.gcp.bearer_ok(authorization, time.time())
            if why:
                self.verdict = "gcs-bearer-refused"
                self.send_raw(401, faults.s3_error(401, "AuthenticationRequired", why), "application/xml")
                return
            self.verdict = "gcs-bearer"
            state.bump("s3_forwarded")
            self._forward(body.file, body.length, drop=("authorization",), extra=self._anonymous_dummy_auth())
            return
        if not sv.is_signed(self.path, headers):
            bucket = urllib.parse.unquote(path.lstrip("/").split("/", 1)[0])
            if bucket in state.public_write_buckets:
                self._anonymous_write_bucket(path, body)
            elif self.command in ("GET", "HEAD") and bucket in state.public_buckets:
                self._forward_anonymous(body, "anonymous-public")
            else:
                self._reject(sv.SigV4Error("AccessDenied", "Access Denied"), path)
            return
        try:
            auth = sv.verify(self.command, self.path, headers, region=state.region,
                             lookup=state.lookup)
            with state.lock:
                allowed = state.role_buckets.get(auth.akid)
            if allowed is not None and urllib.parse.unquote(path.lstrip("/").split("/", 1)[0]) not in allowed:
                raise sv.SigV4Error("AccessDenied", "Access Denied")  # outside the assumed role's buckets
            if auth.payload_hash in sv.STREAMING_MODES:
                self._forward_aws_chunked(auth, body)
                return
            sv.check_payload(auth, body.sha256)
            sv.check_checksums(self.headers.items(), body.file)
        except sv.SigV4Error as err:
            self._reject(err, path)
            return
        self.verdict = f"ok:{auth.akid}"
        state.bump("s3_forwarded")
        self._forward(body.file, body.length)

    def _anonymous_dummy_auth(self) -> list:
        """moto applies object ACLs to unsigned requests (objects are private by default); the front alone
        decides what is public, so moto is shown a dummy (unverified) Authorization header."""
        state: State = self.server.state
        return [("Authorization", f"AWS4-HMAC-SHA256 Credential={ANONYMOUS}/19700101/{state.region}"
                                  f"/s3/aws4_request, SignedHeaders=host, Signature=0")]

    def _forward_anonymous(self, body: Body, verdict: str) -> None:
        state: State = self.server.state
        self.verdict = verdict
        state.bump("s3_anonymous")
        state.bump("s3_forwarded")
        self._forward(body.file, body.length, extra=self._anonymous_dummy_auth())

    def _anonymous_write_bucket(self, path: str, body: Body) -> None:
        """An unsigned request to a --public-write-bucket: served as S3 serves a bucket whose policy lets anyone
        read, write and delete its objects. Reads (objects, listings) pass; a write's body is checked as S3 checks
        an anonymous one: a hex x-amz-content-sha256 must be the body's SHA-256 (else XAmzContentSHA256Mismatch,
        nothing stored), UNSIGNED-PAYLOAD or no header take any body, STREAMING-UNSIGNED-PAYLOAD-TRAILER is
        de-framed, and the signed streaming forms are refused (InvalidRequest: there is no key to check a chunk
        signature with). Copies and CreateMultipartUpload are refused as S3 refuses them to anonymous callers;
        bucket-level writes other than DeleteObjects, and ACLs, are AccessDenied."""
        if self.command in ("GET", "HEAD"):
            self._forward_anonymous(body, "anonymous-public-write:read")
            return
        key = path.lstrip("/").partition("/")[2]
        params = {name for name, _ in sv.query_pairs(sv.split_target(self.path)[1])}
        # Object writes (PutObject, DeleteObject; UploadPart, Complete and Abort of an upload a signed caller
        # began) and DeleteObjects (POST ?delete on the bucket) are what an object-write policy grants. Bucket
        # configuration (CreateBucket, DeleteBucket, ?policy, ...) and ACLs are never anonymous.
        object_write = self.command in ("PUT", "POST", "DELETE") and key and not params & {"acl"}
        delete_objects = self.command == "POST" and not key and "delete" in params
        if not (object_write or delete_objects):
            self._reject(sv.SigV4Error("AccessDenied", "Access Denied"), path)
            return
        # S3 serves neither to anonymous callers, whatever the policy: a copy would read its source (any
        # bucket's) as nobody, and an upload would have no initiator.
        if self.headers.get("x-amz-copy-source") is not None:
            self._reject(sv.SigV4Error("AccessDenied", "Anonymous users cannot copy objects. "
                                       "Please authenticate."), path)
            return
        if self.command == "POST" and "uploads" in params:
            self._reject(sv.SigV4Error("AccessDenied", "Anonymous users cannot initiate multipart "
                                       "uploads. Please authenticate."), path)
            return
        declared = sv.header_value(self.headers.items(), "x-amz-content-sha256")
        auth = sv.AuthInfo("anonymous", ANONYMOUS, "", "", b"", "", declared or sv.UNSIGNED_PAYLOAD)
        try:
            if declared is not None and declared.startswith("STREAMING-") \
                    and declared != sv.STREAMING_UNSIGNED_TRAILER:
                raise sv.SigV4Error("InvalidRequest", "Anonymous requests don't support this "
                                    "x-amz-content-sha256 value. Please use UNSIGNED-PAYLOAD or "
                                    "STREAMING-UNSIGNED-PAYLOAD-TRAILER.", 400)
            if declared == sv.STREAMING_UNSIGNED_TRAILER:
                self._forward_aws_chunked(auth, body, extra=self._anonymous_dummy_auth())
                return
            if not (declared is None or declared == sv.UNSIGNED_PAYLOAD or sv._HEX64.fullmatch(declared)):
                raise sv.SigV4Error("InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                                    "STREAMING-UNSIGNED-PAYLOAD-TRAILER, or a valid lowercase sha256 "
                                    "value.", 400)
            sv.check_payload(auth, body.sha256)
            sv.check_checksums(self.headers.items(), body.file)
        except sv.SigV4Error as err:
            self._reject(err, path)
            return
        self._forward_anonymous(body, "anonymous-public-write")

    def _forward_aws_chunked(self, auth: sv.AuthInfo, body: Body, extra=()) -> None:
        """Verify and strip aws-chunked framing; moto gets a plain body. ``extra``: headers added for moto."""
        state: State = self.server.state
        decoded = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
        try:
            length, trailers = sv.decode_aws_chunked(body.file, decoded, auth, auth.payload_hash)
            declared = self.headers.get("x-amz-decoded-content-length")
            if declared is not None and declared.strip() != str(length):
                raise sv.SigV4Error("IncompleteBody", f"x-amz-decoded-content-length is "
                                    f"{declared} but the chunks carry {length} bytes", 400)
            sv.check_checksums([*self.headers.items(), *trailers], decoded)
            encodings = [e.strip() for e in self.headers.get("Content-Encoding", "").split(",")
                         if e.strip() and e.strip().lower() != "aws-chunked"]
            extra = [*extra, ("x-amz-content-sha256", sv.UNSIGNED_PAYLOAD)]
            extra += [(n, v) for n, v in trailers if n.lower().startswith("x-amz-checksum-")]
            if encodings:
                extra.append(("Content-Encoding", ", ".join(encodings)))
            self.verdict = f"ok:{auth.akid}:aws-chunked"
            if auth.akid == ANONYMOUS:
                state.bump("s3_anonymous")
            state.bump("s3_forwarded")
            decoded.seek(0)
            self._forward(decoded, length, extra=extra, drop={
                "content-encoding", "x-amz-content-sha256", "x-amz-decoded-content-length",
                "x-amz-trailer"})
        except sv.SigV4Error as err:
            self._reject(err, sv.split_target(self.path)[0])
        finally:
            decoded.close()

    # ---- control API ----------------------------------------------------

    def _entra(self, path: str, body: Body) -> None:
        """Microsoft Entra's token endpoint stand-in (entra.py), under /__entra/{tenant}/oauth2/v2.0/token."""
        state: State = self.server.state
        self.verdict = "entra"
        data = body.file.read()
        now = time.time() + state.sts_clock_offset
        m = re.fullmatch(r"/__entra/([^/]+)/oauth2/v2\.0/token", path)
        if self.command == "POST" and m:
            state.log_request("entra", self.command, self.path, self.headers.items())
            status, answer = state.entra.token(urllib.parse.unquote(m.group(1)), data,
                                               self.headers.get("Content-Type", ""), state.jwks, now)
        else:
            status, answer = 404, {"error": "invalid_request", "error_description": "AADSTS90002: no such endpoint"}
        self.verdict = f"entra:{status}"
        self._send_json(answer, status)

    def _gcp(self, path: str, body: Body) -> None:
        """Google STS and iamcredentials stand-ins (gcp.py), under /__gcp/sts and /__gcp/iam."""
        state: State = self.server.state
        self.verdict = "gcp"
        data = body.file.read()
        now = time.time() + state.sts_clock_offset
        iam = re.fullmatch(r"/__gcp/iam/v1/projects/-/serviceAccounts/([^/:]+):generateAccessToken", path)
        if self.command == "POST" and path == "/__gcp/sts/v1/token":
            state.log_request("gcp-sts", self.command, self.path, self.headers.items())
            status, answer = state.gcp.sts(data, self.headers.get("Content-Type", ""), state.jwks, now)
        elif self.command == "POST" and iam:
            state.log_request("gcp-iam", self.command, self.path, self.headers.items())
            try:
                req = json.loads(data or b"{}")
            except ValueError:
                req = None
            status, answer = state.gcp.impersonate(urllib.parse.unquote(iam.group(1)),
                                                   self.headers.get("Authorization", ""), req, now)
        else:
            status, answer = 404, {"error": {"code": 404, "message": "Not Found", "status": "NOT_FOUND"}}
        self.verdict = f"gcp:{status}"
        self._send_json(answer, status)

    def _control(self, path: str) -> None:
        state: State = self.server.state
        self.verdict = "control"
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            payload = json.loads(raw) if raw.strip() else {}
        except ValueError:
            self._send_json({"error": "body is not JSON"}, 400)
            return
        route = (self.command, path.rstrip("/"))
        if route == ("GET", "/__emu/stats"):
            with state.lock:
                snapshot = json.loads(json.dumps(state.stats))
            snapshot["faults_armed"] = state.faults.snapshot()
            self._send_json(snapshot)
        elif route == ("POST", "/__emu/reset-stats"):
            state.reset_stats()
            self._send_json({"ok": True})
        elif route == ("GET", "/__emu/fault"):
            self._send_json(state.faults.snapshot())
        elif route == ("POST", "/__emu/fault"):
            try:
                self._send_json(state.faults.set(payload))
            except (ValueError, TypeError) as exc:
                self._send_json({"error": str(exc)}, 400)
        elif route == ("GET", "/__emu/sts-duration"):
            self._send_json({"seconds": state.sts_duration})
        elif route == ("POST", "/__emu/sts-duration"):
            seconds = payload.get("seconds")
            state.sts_duration = None if seconds is None else int(seconds)
            self._send_json({"seconds": state.sts_duration})
        elif route == ("GET", "/__emu/jwks"):
            self._send_json({"issuers": state.jwks.issuers()})
        elif route == ("POST", "/__emu/jwks"):
            try:
                state.jwks.set(payload.get("issuer"), payload.get("jwks"))
                self._send_json({"issuers": state.jwks.issuers()})
            except (ValueError, TypeError, AttributeError) as exc:
                self._send_json({"error": str(exc)}, 400)
        elif route == ("GET", "/__emu/roles"):
            self._send_json({"roles": state.roles.all()})
        elif route == ("POST", "/__emu/roles"):
            try:
                if payload.get("delete"):
                    state.roles.delete(payload.get("arn"))
                    self._send_json({"roles": state.roles.all()})
                else:
                    self._send_json({"role": state.roles.set(payload)})
            except (ValueError, TypeError, AttributeError) as exc:
                self._send_json({"error": str(exc)}, 400)
        elif route == ("GET", "/__emu/sts-clock"):
            self._send_json({"offset_seconds": state.sts_clock_offset})
        elif route == ("POST", "/__emu/sts-clock"):
            state.sts_clock_offset = float(payload.get("offset_seconds") or 0)
            self._send_json({"offset_seconds": state.sts_clock_offset})
        elif route == ("GET", "/__emu/requests"):
            since = int(urllib.parse.parse_qs(sv.split_target(self.path)[1]).get("since", ["0"])[0])
            with state.lock:
                entries = [e for e in state.requests if e["seq"] > since]
                last = state.request_seq
            self._send_json({"last": last, "requests": entries})
        elif route == ("POST", "/__emu/release-stalls"):
            state.stall_generation += 1  # every stalled request closes its connection now
            self._send_json({"ok": True})
        elif route == ("GET", "/__emu/credentials"):
            # Every temporary credential STS handed out: the secret-grep tests search logs and answers for them.
            with state.lock:
                issued = [{"access_key_id": akid, "secret_access_key": c.secret, "session_token": c.token}
                          for akid, c in state.temporary.items()]
                tokens = list(state.web_identity_tokens)
            self._send_json({"issued": issued, "web_identity_tokens": tokens, "gcp_tokens": state.gcp.issued(),
                             "entra_tokens": state.entra.issued()})
        elif route == ("GET", "/__emu/entra"):
            self._send_json(state.entra.snapshot())
        elif route == ("POST", "/__emu/entra"):
            try:
                if payload.get("reset_stats"):
                    state.entra.reset_stats()
                self._send_json(state.entra.configure(payload))
            except (ValueError, TypeError, AttributeError, KeyError) as exc:
                self._send_json({"error": str(exc)}, 400)
        elif route == ("POST", "/__emu/entra/introspect"):
            self._send_json(state.entra.introspect(payload.get("token", ""), time.time() + state.sts_clock_offset))
        elif route == ("GET", "/__emu/gcp"):
            self._send_json(state.gcp.snapshot())
        elif route == ("POST", "/__emu/gcp"):
            try:
                if payload.get("reset_stats"):
                    state.gcp.reset_stats()
                self._send_json(state.gcp.configure(payload))
            except (ValueError, TypeError, AttributeError) as exc:
                self._send_json({"error": str(exc)}, 400)
        elif route == ("GET", "/__emu/health"):
            self._send_json({"ok": True, "moto_port": state.moto_port})
        else:
            self._send_json({"error": f"no control route {self.command} {path}"}, 404)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_iso(text: str) -> Optional[float]:
    try:
        return datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _xml_escape(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


class FrontServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # socketserver's default of 5 drops bursts of clients

    def __init__(self, addr, state: State):
        self.state = state
        self.stopping = threading.Event()
        super().__init__(addr, Front)


# --------------------------------------------------------------------------
# moto child process
# --------------------------------------------------------------------------

def _die_with_parent() -> None:
    """preexec_fn: the kernel SIGTERMs moto when this process dies, even by SIGKILL."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class MotoExited(SystemExit):
    """moto_server ended before it answered (e.g. its port was taken meanwhile)."""


def start_moto(port: int, verbose: bool) -> subprocess.Popen:
    with socket.socket() as probe:  # fail clearly instead of talking to a stale moto
        # SO_REUSEADDR: ignore TIME_WAIT leftovers, still fail on a live listener.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise MotoExited(f"s3emu: moto port {port} is not free: {exc}")
    out = sys.stderr if verbose else subprocess.DEVNULL
    return subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                             "-p", str(port)], stdout=out, stderr=out, stdin=subprocess.DEVNULL,
                            preexec_fn=_die_with_parent)


def free_port() -> int:
    """A port the kernel reports free now. Another process may take it before moto binds it: the
    caller (main) retries with a new one when moto exits before answering."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_moto(proc: subprocess.Popen, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise MotoExited(f"s3emu: moto_server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/moto-api/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"s3emu: moto_server did not answer on port {port} within {timeout}s")


def stop_moto(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, required=True,
                   help="front port on 127.0.0.1; 0: a free one (the READY line names it)")
    p.add_argument("--moto-port", type=int,
                   help="moto_server port (default PORT+1; with --port 0 a free one)")
    p.add_argument("--key", action="append", default=[], metavar="AKID:SECRET",
                   help="static credential accepted by the front (repeatable)")
    p.add_argument("--public-bucket", action="append", default=[], metavar="NAME",
                   help="bucket readable anonymously with GET/HEAD (repeatable)")
    p.add_argument("--public-write-bucket", action="append", default=[], metavar="NAME",
                   help="bucket whose objects anyone may read, write and delete, as under a bucket "
                        "policy allowing it; anonymous bodies are checked as S3 checks them (repeatable)")
    p.add_argument("--region", default="us-east-1", help="required credential-scope region")
    p.add_argument("--verbose", action="store_true", help="log one line per request to stderr")
    p.add_argument("--exit-with-parent", action=argparse.BooleanOptionalAction, default=True,
                   help="shut down when the process that started us goes away (default on; "
                        "use --no-exit-with-parent to detach, e.g. with nohup)")
    args = p.parse_args(argv)
    keys = {}
    for item in args.key:
        akid, sep, secret = item.partition(":")
        if not sep or not akid or not secret:
            p.error(f"--key wants AKID:SECRET, got {item!r}")
        keys[akid] = secret
    args.keys = keys
    if args.moto_port is None:
        args.moto_port = args.port + 1 if args.port else 0  # 0: chosen free at start
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    state = State(args.keys, set(args.public_bucket), args.region, args.moto_port, args.verbose,
                  frozenset(args.public_write_bucket))
    try:
        server = FrontServer(("127.0.0.1", args.port), state)  # bind first: fail fast
    except OSError as exc:
        print(f"s3emu: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    port = server.server_address[1]  # the bound one (--port 0: the kernel's choice)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # A chosen moto port is used as given; a free one (0) is picked now and picked again, a few times,
    # if moto exits before answering (another process took it between the probe and moto's bind).
    attempts = 1 if args.moto_port else 5
    for attempt in range(attempts):
        state.moto_port = args.moto_port or free_port()
        moto = None
        try:
            moto = start_moto(state.moto_port, args.verbose)
            wait_for_moto(moto, state.moto_port)
            break
        except MotoExited:
            if attempt + 1 == attempts:
                server.server_close()
                raise
        except SystemExit:  # moto did not answer in time
            if moto is not None:
                stop_moto(moto)
            server.server_close()
            raise
    moto_died = threading.Event()
    serving = False
    try:
        threading.Thread(target=server.serve_forever, name="front", daemon=True).start()
        serving = True

        def watch() -> None:  # moto dying (or our parent, if asked) ends the emulator
            parent = os.getppid()
            while not stop.is_set():
                if moto.poll() is not None:
                    print(f"s3emu: moto_server exited with {moto.returncode}", file=sys.stderr)
                    moto_died.set()
                    stop.set()
                elif args.exit_with_parent and os.getppid() != parent:
                    stop.set()
                stop.wait(0.5)

        threading.Thread(target=watch, name="watchdog", daemon=True).start()
        print(f"READY http://127.0.0.1:{port}", flush=True)
        while not stop.wait(0.2):  # short: a signal may land on another thread
            pass
    finally:
        server.stopping.set()  # releases stalled requests
        if moto.poll() is None:
            moto.terminate()  # let moto wind down while the front does
        if serving:
            server.shutdown()
        server.server_close()
        stop_moto(moto)
    return 1 if moto_died.is_set() else 0

if __name__ == "__main__":
    sys.exit(main())
