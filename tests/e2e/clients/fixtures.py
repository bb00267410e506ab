#!/usr/bin/env python3
"""Ground truth for the client tests: what tests/emulator/seed.py wrote, as JSON on stdout.

    {"public-bucket": [{"key", "size", "sha256", "md5", "content_type", "metadata",
                        "body_b64" (bodies ≤ 4 KiB only)}], "private-bucket": [...]}

Recomputed from seed.fixtures() (deterministic generators), never read back through the proxy.
"""

import base64
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "emulator"))
import seed  # noqa: E402


def main() -> int:
    out = {}
    for bucket, objects in seed.fixtures().items():
        rows = []
        for key, body, extra in objects:
            row = {"key": key, "size": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                   "md5": hashlib.md5(body).hexdigest(),
                   "content_type": extra.get("ContentType"), "metadata": extra.get("Metadata", {})}
            if len(body) <= 4096:
                row["body_b64"] = base64.b64encode(body).decode()
            rows.append(row)
        out[bucket] = rows
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
