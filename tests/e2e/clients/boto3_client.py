#!/usr/bin/env python3
"""boto3, unmodified and anonymous (UNSIGNED), path style, against the proxy. Prints observations as JSON;
the assertions live in clients.test.mjs, which compares them with ground truth.

    boto3_client.py ENDPOINT '[[COMMAND, ARGS], ...]'   -> a JSON list with one result per command

(one process for several commands: importing boto3 costs about a second on a busy machine).

Commands:
  paginate   {"op": "list_objects_v2"|"list_objects", "bucket", "prefix"?, "delimiter"?, "page_size"}
             -> {"pages": [{"keys": [...], "prefixes": [...], "sizes": {...}}]}
  download   {"bucket", "key", "dest", "chunk"}  download_file with multipart_threshold = chunksize = chunk
             -> {"ranges": [Range header of every GET sent]}
  get        [{"bucket", "key", **get_object kwargs}, ...] -> [{"status", "headers", "body_b64"} or {"error"}]
  buckets    ["name", ...] head_bucket + get_bucket_location -> {name: {"head": ..., "location": ...}}
"""

import base64
import datetime
import json
import os
import sys

import boto3
import botocore
import botocore.config
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError


def s3(endpoint: str):
    # Anonymous unless S3P_BOTO_SIGNED=1: then SigV4 with the key in the environment (the demo access key).
    signed = os.environ.get("S3P_BOTO_SIGNED") == "1"
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        config=botocore.config.Config(signature_version="s3v4" if signed else botocore.UNSIGNED,
                                      s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


def err(e: ClientError) -> dict:
    return {"error": {"status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                      "code": e.response.get("Error", {}).get("Code")}}


def paginate(c, a: dict) -> dict:
    kw = {"Bucket": a["bucket"], "PaginationConfig": {"PageSize": a["page_size"]}}
    if "prefix" in a:
        kw["Prefix"] = a["prefix"]
    if "delimiter" in a:
        kw["Delimiter"] = a["delimiter"]
    pages = []
    try:
        for page in c.get_paginator(a["op"]).paginate(**kw):
            pages.append({"keys": [o["Key"] for o in page.get("Contents", [])],
                          "sizes": {o["Key"]: o["Size"] for o in page.get("Contents", [])},
                          "etags": {o["Key"]: o["ETag"] for o in page.get("Contents", [])},
                          "prefixes": [p["Prefix"] for p in page.get("CommonPrefixes", [])]})
            if len(pages) > 100:
                return {"pages": pages, "runaway": True}
    except ClientError as e:
        return {"pages": pages, **err(e)}
    return {"pages": pages}


def download(c, a: dict) -> dict:
    ranges = []

    def record(request, **_):
        r = request.headers.get("Range")
        ranges.append(r.decode() if isinstance(r, bytes) else r)

    c.meta.events.register("before-send.s3.GetObject", record)
    cfg = TransferConfig(multipart_threshold=a["chunk"], multipart_chunksize=a["chunk"], max_concurrency=4)
    try:
        c.download_file(a["bucket"], a["key"], a["dest"], Config=cfg)
    except Exception as e:  # report, don't crash: the test prints it
        return {"ranges": ranges, "error": {"message": f"{type(e).__name__}: {e}"}}
    finally:
        c.meta.events.unregister("before-send.s3.GetObject", record)
    return {"ranges": ranges}


def get(c, requests: list) -> list:
    return [get_one(c, a) for a in requests]


def get_one(c, a: dict) -> dict:
    kw = dict(a)
    for k in ("IfModifiedSince", "IfUnmodifiedSince"):
        if k in kw:
            kw[k] = datetime.datetime.fromisoformat(kw[k])
    try:
        r = c.get_object(Bucket=kw.pop("bucket"), Key=kw.pop("key"), **kw)
    except ClientError as e:
        return err(e)
    return {"status": r["ResponseMetadata"]["HTTPStatusCode"], "headers": r["ResponseMetadata"]["HTTPHeaders"],
            "body_b64": base64.b64encode(r["Body"].read()).decode()}


def buckets(c, names: list) -> dict:
    return {name: bucket(c, name) for name in names}


def bucket(c, name: str) -> dict:
    out = {}
    try:
        h = c.head_bucket(Bucket=name)
        out["head"] = {"status": h["ResponseMetadata"]["HTTPStatusCode"]}
    except ClientError as e:
        out["head"] = err(e)
    try:
        loc = c.get_bucket_location(Bucket=name)
        out["location"] = {"status": loc["ResponseMetadata"]["HTTPStatusCode"],
                           "LocationConstraint": loc.get("LocationConstraint")}
    except ClientError as e:
        out["location"] = err(e)
    return out


def main() -> int:
    c = s3(sys.argv[1])
    fns = {"paginate": paginate, "download": download, "get": get, "buckets": buckets}
    json.dump([fns[command](c, args) for command, args in json.loads(sys.argv[2])], sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
