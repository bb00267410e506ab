"""Fault injection for the S3 emulator front.

A fault is armed per target ("sts" or "s3") through POST /__emu/fault and is
consumed by matching requests.  ``apply()`` runs inside the request's own
handler thread, so a stalled request never blocks any other.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
import uuid
import zlib
from typing import Optional
from xml.sax.saxutils import escape

TARGETS = ("sts", "s3")
MODES = ("none", "stall", "status", "garbage", "reset", "delay", "hold", "gzip-bomb",
         "stall-body", "reset-body", "trickle", "truncated", "reset-upload", "stall-upload", "expired")
# Modes acted out on the backend's own answer (s3emu._relay): the status and headers go out first.
BODY_MODES = ("stall-body", "reset-body", "trickle", "truncated")
# Modes acted out while an upload's body is still arriving (s3emu._upload_fault): part of it is read first.
UPLOAD_MODES = ("reset-upload", "stall-upload")
GZIP_BOMB_BYTES = 64 * 1024 * 1024  # what the gzip-bomb body decodes to (it is ~64 KiB on the wire)
STALL_MAX_SECONDS = 3600  # safety net for clients that never time out
GARBAGE = b"this is not XML {\"garbage\": true} <<< \x00\x01 >>>\n"

_S3_CODES = {400: "InvalidRequest", 403: "AccessDenied", 404: "NoSuchKey",
             409: "OperationAborted", 500: "InternalError", 501: "NotImplemented",
             503: "SlowDown"}


class FaultTable:
    """Thread-safe armed faults; a fault with a count clears itself after N uses."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, dict] = {}
        self.injected = 0

    def set(self, spec: dict) -> dict:
        target, mode = spec.get("target"), spec.get("mode", "none")
        if target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        fault = {"mode": mode, "status": int(spec.get("status", 500)),
                 "delay_ms": int(spec.get("delay_ms", 2000)),
                 "count": None if spec.get("count") is None else int(spec["count"]),
                 "code": spec.get("code"),
                 "after_bytes": int(spec.get("after_bytes", 1024)),
                 "chunk_bytes": int(spec.get("chunk_bytes", 4096))}
        with self._lock:
            if mode == "none" or fault["count"] == 0:
                self._faults.pop(target, None)
            else:
                self._faults[target] = fault
        return self.snapshot()

    def take(self, target: str) -> Optional[dict]:
        """The fault for this request, if any (consumes one use of a counted fault)."""
        with self._lock:
            fault = self._faults.get(target)
            if fault is None:
                return None
            if fault["count"] is not None:
                fault["count"] -= 1
                if fault["count"] <= 0:
                    del self._faults[target]
            self.injected += 1
            return dict(fault)

    def peek(self, target: str, modes) -> bool:
        """True when the armed fault for ``target`` is one of ``modes`` (nothing is consumed)."""
        with self._lock:
            fault = self._faults.get(target)
            return fault is not None and fault["mode"] in modes

    def snapshot(self) -> dict:
        with self._lock:
            return {t: dict(f) for t, f in self._faults.items()}

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


def apply(handler, target: str, fault: dict) -> bool:
    """Act out ``fault`` on the request in ``handler``.

    Returns True when the request has been dealt with (no forwarding), False
    when it should proceed normally (delay).  The request body must already
    have been read so that the socket holds nothing unexpected.
    """
    mode = fault["mode"]
    if mode == "delay":
        time.sleep(fault["delay_ms"] / 1000.0)
        return False
    if mode == "hold":
        # A delay the test ends: held until POST /__emu/release-stalls (at most delay_ms), then answered normally.
        # Counted in stalled_now while held, so a test can wait for the request to be held before it acts.
        return _hold(handler, fault["delay_ms"] / 1000.0)
    if mode == "stall":
        _stall(handler)
    elif mode == "reset":
        _reset(handler)
    elif mode == "gzip-bomb":
        # A small gzip body that decodes huge, declared honestly (content-length = encoded size): a client that
        # trusts content-length as the size it will buffer is fooled by transparent decoding.
        ctype = "text/xml" if target == "sts" else "application/xml"
        handler.send_raw(fault["status"], gzip_bomb(), ctype, {"Content-Encoding": "gzip"})
    elif mode == "garbage":
        ctype = "text/xml" if target == "sts" else "application/xml"
        handler.send_raw(200, GARBAGE, ctype)
    elif mode == "status":
        status = fault["status"]
        if target == "sts":
            body, ctype = sts_error(status, fault.get("code")), "text/xml"
        else:
            body, ctype = s3_error(status, fault.get("code")), "application/xml"
        handler.send_raw(status, body, ctype)
    return True


_bomb: Optional[bytes] = None


def gzip_bomb() -> bytes:
    global _bomb
    if _bomb is None:
        z = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip framing
        block = b"<" + b" " * (1024 * 1024 - 1)  # starts like XML, never ends
        _bomb = b"".join(z.compress(block) for _ in range(GZIP_BOMB_BYTES // len(block))) + z.flush()
    return _bomb


def trickle(handler, data: bytes, fault: dict, chunked: bool) -> None:
    """Send ``data`` in chunk_bytes pieces, delay_ms apart: a body that keeps coming, slowly."""
    step = max(1, fault["chunk_bytes"])
    for i in range(0, len(data), step):
        piece = data[i:i + step]
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        handler.wfile.flush()
        time.sleep(fault["delay_ms"] / 1000.0)


def _stall(handler) -> None:
    """Say nothing until the client hangs up (or the server stops)."""
    sock = handler.connection
    deadline = time.monotonic() + STALL_MAX_SECONDS
    handler.close_connection = True
    state = handler.server.state
    generation = state.stall_generation  # POST /__emu/release-stalls bumps it: every current stall ends
    state.bump("stalled_now")  # tests wait for 0: the client (the proxy) hung up, or the stall was released
    try:
        while (time.monotonic() < deadline and not handler.server.stopping.is_set()
               and generation == state.stall_generation):
            try:
                readable, _, _ = select.select([sock], [], [], 0.2)
                # Anything the client sends is discarded; EOF/reset means it gave up.
                if readable and not sock.recv(65536):
                    return
            except OSError:
                return
    finally:
        handler.server.state.bump("stalled_now", -1)


def _hold(handler, max_seconds: float) -> bool:
    """Hold the request until released (or max_seconds); True if the client hung up meanwhile (nothing to answer)."""
    sock = handler.connection
    deadline = time.monotonic() + max_seconds
    state = handler.server.state
    generation = state.stall_generation
    state.bump("stalled_now")
    try:
        while (time.monotonic() < deadline and not handler.server.stopping.is_set()
               and generation == state.stall_generation):
            try:
                readable, _, _ = select.select([sock], [], [], 0.05)
                if readable and not sock.recv(1, socket.MSG_PEEK):  # EOF: the client gave up
                    handler.close_connection = True
                    return True
            except OSError:
                handler.close_connection = True
                return True
    finally:
        state.bump("stalled_now", -1)
    return False


def _reset(handler) -> None:
    """Close with RST instead of FIN, before any response byte is written."""
    sock = handler.connection
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    handler.close_connection = True
    # socketserver would shutdown(SHUT_WR) first, which sends a FIN; closing
    # the descriptor ourselves with linger 0 makes the kernel send a RST.
    handler.rfile.close()
    sock.close()


def request_id() -> str:
    return uuid.uuid4().hex[:16].upper()


def s3_error(status: int, code: Optional[str] = None, message: str = "Injected fault") -> bytes:
    code = code or _S3_CODES.get(status, "InternalError")
    return (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>"
            f"<Message>{escape(message)}</Message><RequestId>{request_id()}</RequestId>"
            f"</Error>").encode()


def sts_error(status: int, code: Optional[str] = None, message: Optional[str] = None) -> bytes:
    if status == 403:
        kind, code = "Sender", code or "AccessDenied"
        message = message or "Injected fault: not authorized to perform sts:AssumeRoleWithWebIdentity"
    else:
        kind, code = ("Sender" if 400 <= status < 500 else "Receiver"), code or "InternalFailure"
        message = message or "Injected fault"
    return (f"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
            f"<Type>{kind}</Type><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>").encode()
