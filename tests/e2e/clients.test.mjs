// Issue 3, point 6: unmodified real S3 clients, path style, against the Worker in Miniflare (workerd) in front of
// the verifying emulator (plus virtual-host style where the client resolves *.localhost itself: curl, GDAL). Every
// assertion compares with ground truth: the bytes tests/emulator/seed.py wrote (recomputed by
// tests/e2e/clients/fixtures.py) or a direct anonymous GET/HEAD to the emulator — never with what the proxy itself
// said. Every client is required: a missing one fails "every required client is installed" (and its own tests
// are skipped, which scripts/test also counts as failed), so a missing client can never look green.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { ListObjectsV2Command, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { BIG_SIZE, blob, clearFaults, client, DEMO_USER, openDemoConfig, EMU, startProxy } from "./harness.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PY = "python3";
const REGION = "us-east-1";
// Virtual-host style: {account}.localhost. curl and GDAL (libcurl) resolve *.localhost to loopback themselves;
// Python's and Go's resolvers here do not, so boto3/aws cli/rclone stay path style.
const VHOST_DOMAIN = "localhost";
// Clients that insist on signing (s3cmd, curl --aws-sigv4) sign with the demo's access key, which the proxy
// verifies (path and virtual-host style).
const SIGNING_KEY = DEMO_USER;

// ---------------------------------------------------------------------------------------------- ground truth
const sha256 = (b) => createHash("sha256").update(b).digest("hex");
const utf8cmp = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

// The proxy's namespace as S3 clients see it: bucket = account, key = repository + "/" + backend key − prefix.
// Built from config/demo.json's repositories ({account: {repo: [backend bucket, prefix]}}) and seed.py's fixtures.
const DEMO = JSON.parse(openDemoConfig());
const REPOS = Object.fromEntries(Object.entries(DEMO.accounts).map(([account, { repositories }]) =>
  [account, Object.fromEntries(Object.entries(repositories).map(([repo, r]) => [repo, [DEMO.backends[r.backend].bucket, r.prefix]]))]));
let FIX; // {bucket: [{key, size, sha256, md5, content_type, metadata, body_b64?}]}
let NS; // {account: Map(key → fixture row + {backendBucket, backendKey})}

function loadGroundTruth() {
  FIX = JSON.parse(execFileSync(PY, [path.join(HERE, "clients/fixtures.py")], { maxBuffer: 16 << 20 }).toString());
  NS = {};
  for (const [account, repos] of Object.entries(REPOS)) {
    const m = new Map();
    for (const [repo, [bucket, prefix]] of Object.entries(repos))
      for (const row of FIX[bucket])
        if (row.key.startsWith(prefix)) m.set(`${repo}/${row.key.slice(prefix.length)}`, { ...row, backendBucket: bucket, backendKey: row.key });
    NS[account] = new Map([...m].sort(([a], [b]) => utf8cmp(a, b)));
  }
}
const fx = (account, key) => {
  const row = NS[account].get(key);
  assert.ok(row, `no fixture ${account}/${key}`);
  return row;
};
const bodyOf = (row) => (row.body_b64 !== undefined ? Buffer.from(row.body_b64, "base64") : null);

// S3 ListObjects semantics over the fixture keys: {keys (sorted by UTF-8 bytes), prefixes}.
function s3List(account, prefix = "", delimiter = "") {
  const keys = [], prefixes = new Set();
  for (const key of NS[account].keys()) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const d = delimiter ? rest.indexOf(delimiter) : -1;
    if (d >= 0) prefixes.add(prefix + rest.slice(0, d + delimiter.length));
    else keys.push(key);
  }
  return { keys, prefixes: [...prefixes].sort(utf8cmp) };
}

// S3's URI encoding of a key (every byte but unreserved and "/"), so "a/../b" and "a//b" reach the server literally.
const encodeKey = (key) =>
  [...Buffer.from(key)].map((c) => (/[A-Za-z0-9\-._~/]/.test(String.fromCharCode(c)) ? String.fromCharCode(c) : "%" + c.toString(16).toUpperCase().padStart(2, "0"))).join("");

// A raw HTTP request (node's fetch would normalise "..", so the emulator ground truth goes through node:http).
function rawRequest(base, rawPath, { method = "GET", headers = {} } = {}) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: rawPath, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}
// Directly from the emulator, anonymously (public-bucket only).
const direct = (row, opts) => {
  assert.equal(row.backendBucket, "public-bucket", "only the public bucket can be read anonymously");
  return rawRequest(EMU, `/${row.backendBucket}/${encodeKey(row.backendKey)}`, opts);
};

// ------------------------------------------------------------------------------------------------ helpers
const which = (bin) => {
  try {
    return execFileSync("sh", ["-c", `command -v "${bin}"`]).toString().trim() || null;
  } catch {
    return null;
  }
};
const AWS_V1 = "aws"; // pyenv, first on PATH
const AWS_V2 = "/usr/bin/aws"; // Debian's awscli 2.x
const awsVersion = (bin) => {
  try {
    return execFileSync(bin, ["--version"], { stdio: ["ignore", "pipe", "pipe"] }).toString();
  } catch {
    return "";
  }
};
const HAVE = {
  awsV1: /^aws-cli\/1\./.test(awsVersion(AWS_V1)),
  awsV2: fs.existsSync(AWS_V2) && /^aws-cli\/2\./.test(awsVersion(AWS_V2)),
  rclone: !!which("rclone"),
  s3cmd: !!which("s3cmd"),
  gdal: !!which("gdalinfo") && !!which("gdal_translate"),
  curl: !!which("curl"),
  chromium: fs.existsSync("/usr/bin/chromium"),
  boto3: (() => {
    try {
      execFileSync(PY, ["-c", "import boto3"]);
      return true;
    } catch {
      return false;
    }
  })(),
};
const CLIENT_NAMES = { awsV1: "aws cli v1 (pyenv aws)", awsV2: "aws cli v2 (/usr/bin/aws)", rclone: "rclone", s3cmd: "s3cmd",
  gdal: "GDAL (gdal-bin)", curl: "curl", chromium: "chromium", boto3: "boto3" };
const skipUnless = (have, what) => (have ? {} : { skip: `${what} is not installed (scripts/lib/deps.sh deps_clients)` });

const tmpdirs = [];
const tmpdir = (tag) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `s3p-clients-${tag}-`));
  tmpdirs.push(d);
  return d;
};
// {relative path → sha256} of every file under dir.
function tree(dir) {
  const out = {};
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p).split(path.sep).join("/")] = sha256(fs.readFileSync(p));
    }
  };
  walk(dir);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => utf8cmp(a, b)));
}
// What a download of `prefix` into a directory must hold: key − prefix, as the local filesystem resolves it
// ("a//b" → "a/b", "a/../b" → "b"), like aws s3 sync / rclone copy do with real S3.
function expectedTree(account, prefix, { skip = () => false } = {}) {
  const out = {};
  for (const [key, row] of NS[account]) {
    if (!key.startsWith(prefix) || skip(key)) continue;
    out[path.posix.normalize(key.slice(prefix.length))] = row.sha256;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => utf8cmp(a, b)));
}
const text = (b) => b.toString("utf8");
const hasDotSegment = (key) => key.split("/").some((s) => s === "." || s === "..");
const lines = (b) => text(b).split("\n").filter((l) => l.trim() !== "");

// ---------------------------------------------------------------------------------------------- the suite
describe("real S3 clients against the proxy", () => {
  it("every required client is installed", () => {
    const missing = Object.entries(HAVE).filter(([, have]) => !have).map(([k]) => CLIENT_NAMES[k]);
    assert.deepEqual(missing, [], `missing clients (scripts/lib/deps.sh deps_clients installs them): ${missing.join(", ")}`);
  });

  let proxy, hostPort;
  before(async () => {
    loadGroundTruth();
    // The ground truth itself must match what the emulator holds (e.g. the COG is regenerated deterministically).
    for (const [, row] of NS["demo-org"]) {
      if (row.backendBucket !== "public-bucket") continue;
      const r = await direct(row);
      assert.equal(r.status, 200, `emulator GET ${row.backendKey}`);
      assert.equal(sha256(r.body), row.sha256, `emulator bytes of ${row.backendKey} differ from seed.py's`);
    }
    await clearFaults();
    proxy = await startProxy({ config: openDemoConfig((c) => { c.virtual_host_domain = VHOST_DOMAIN; }) });
    hostPort = new URL(proxy.url).host;
  });
  after(async () => {
    await proxy?.close();
    for (const d of tmpdirs) fs.rmSync(d, { recursive: true, force: true });
  });

  // ------------------------------------------------------------------------------------- aws cli v1 / v2
  for (const [name, bin, have, range] of [
    ["aws cli v1 (pyenv)", AWS_V1, HAVE.awsV1, [1000, 1999]],
    ["aws cli v2 (Debian)", AWS_V2, HAVE.awsV2, [BIG_SIZE - 1152, BIG_SIZE - 1]],
  ]) {
    describe(name, skipUnless(have, name), () => {
      const aws = (...args) => client(bin, ["--endpoint-url", proxy.url, "--no-sign-request", ...args]);
      // `aws s3 ls` output: "                           PRE name/" and "YYYY-MM-DD HH:MM:SS   size name".
      const parseLs = (out) => {
        const pre = [], objs = [];
        for (const l of lines(out)) {
          let m;
          if ((m = l.match(/^\s+PRE (.+)$/))) pre.push(m[1]);
          else if ((m = l.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+(\d+) (.+)$/))) objs.push([m[2], Number(m[1])]);
          else assert.fail(`unexpected aws s3 ls line: ${JSON.stringify(l)}`);
        }
        return { pre, objs };
      };
      const expectLs = (account, prefix) => {
        const { keys, prefixes } = s3List(account, prefix, "/");
        return { pre: prefixes.map((p) => p.slice(prefix.length)), objs: keys.map((k) => [k.slice(prefix.length), fx(account, k).size]) };
      };

      it("s3 ls at the root lists the accounts (ListBuckets)", async () => {
        const { stdout } = await aws("s3", "ls");
        assert.deepEqual(lines(stdout).map((l) => l.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (.+)$/)?.[1]), Object.keys(REPOS));
      });

      it("s3 ls s3://demo-org/ lists the repositories as PRE", async () => {
        const { stdout } = await aws("s3", "ls", "s3://demo-org/");
        assert.deepEqual(parseLs(stdout), { pre: ["federated-data/", "public-data/", "secret-data/"], objs: [] });
      });

      it("s3 ls s3://demo-org/public-data/ lists the repository's top level", async () => {
        const { stdout } = await aws("s3", "ls", "s3://demo-org/public-data/");
        assert.deepEqual(parseLs(stdout), expectLs("demo-org", "public-data/"));
      });

      it("s3 ls s3://demo-org/public-data/nested/ lists a prefix", async () => {
        const { stdout } = await aws("s3", "ls", "s3://demo-org/public-data/nested/");
        assert.deepEqual(parseLs(stdout), expectLs("demo-org", "public-data/nested/"));
      });

      it("s3 ls --recursive lists every key of the repository (awkward ones exactly) with its size", async () => {
        const { stdout } = await aws("s3", "ls", "--recursive", "s3://demo-org/public-data/");
        const { keys } = s3List("demo-org", "public-data/");
        assert.deepEqual(parseLs(stdout), { pre: [], objs: keys.map((k) => [k, fx("demo-org", k).size]) });
      });

      it("s3 cp of single objects (signed backend; awkward unicode key) returns the exact bytes", async () => {
        const dir = tmpdir("awscp");
        await aws("s3", "cp", "s3://demo-org/secret-data/nested/a.txt", path.join(dir, "a.txt"));
        assert.equal(sha256(fs.readFileSync(path.join(dir, "a.txt"))), fx("demo-org", "secret-data/nested/a.txt").sha256);
        const key = "public-data/awkward/unicodé-ключ.txt";
        const { stdout } = await aws("s3", "cp", `s3://demo-org/${key}`, "-");
        assert.deepEqual(stdout, bodyOf(fx("demo-org", key)));
      });

      it("s3 sync of a repository down reproduces seed.py's tree byte for byte", async () => {
        const dir = tmpdir("awssync");
        // The "dots/../x.txt" key is left to its own test (boto3 below); the other awkward keys stay in.
        await aws("s3", "sync", "--no-progress", "--exclude", "awkward/dots/*", "s3://demo-org/public-data/", dir);
        assert.deepEqual(tree(dir), expectedTree("demo-org", "public-data/", { skip: hasDotSegment }));
      });

      it(`s3api get-object --range bytes=${range[0]}-${range[1]} returns those bytes and their Content-Range`, async () => {
        const out = path.join(tmpdir("awsrange"), "part.bin");
        const { stdout } = await aws("s3api", "get-object", "--bucket", "demo-org", "--key", "secret-data/big/blob.bin",
          "--range", `bytes=${range[0]}-${range[1]}`, out);
        const meta = JSON.parse(text(stdout));
        assert.equal(meta.ContentRange, `bytes ${range[0]}-${range[1]}/${BIG_SIZE}`);
        assert.equal(meta.ContentLength, range[1] - range[0] + 1);
        assert.ok(fs.readFileSync(out).equals(Buffer.from(blob(range[1] + 1).subarray(range[0]))));
      });

      it("s3api head-object returns the emulator's length, ETag, type, Last-Modified and user metadata", async () => {
        const row = fx("demo-org", "public-data/meta/tagged.txt");
        const truth = await direct(row, { method: "HEAD" });
        const { stdout } = await aws("s3api", "head-object", "--bucket", "demo-org", "--key", "public-data/meta/tagged.txt");
        const h = JSON.parse(text(stdout));
        assert.equal(h.ContentLength, row.size);
        assert.equal(h.ETag, truth.headers.etag);
        assert.equal(h.ETag, `"${row.md5}"`);
        assert.equal(h.ContentType, row.content_type);
        assert.deepEqual(h.Metadata, row.metadata);
        assert.equal(Date.parse(h.LastModified), Date.parse(truth.headers["last-modified"]));
        assert.equal(h.AcceptRanges, "bytes");
      });
    });
  }

  // ------------------------------------------------------------------------------------------------ boto3
  describe("boto3 (UNSIGNED)", skipUnless(HAVE.boto3, "boto3"), () => {
    // One python process per test: boto(["command", args], ...) → [result, ...].
    const boto = async (...commands) => {
      const { stdout } = await client(PY, [path.join(HERE, "clients/boto3_client.py"), proxy.url, JSON.stringify(commands)]);
      return JSON.parse(text(stdout));
    };
    const botoSigned = async (...commands) => {
      const { stdout } = await client(PY, [path.join(HERE, "clients/boto3_client.py"), proxy.url, JSON.stringify(commands)], { S3P_BOTO_SIGNED: "1" });
      return JSON.parse(text(stdout));
    };
    // Pages of a paginated listing: no page over page_size entries (keys + prefixes), no duplicates, S3 order.
    const checkPages = (res, pageSize, expected) => {
      assert.equal(res.error, undefined, JSON.stringify(res.error));
      assert.ok(!res.runaway, "the paginator never stopped");
      for (const [i, p] of res.pages.entries()) assert.ok(p.keys.length + p.prefixes.length <= pageSize, `page ${i} has ${p.keys.length} keys + ${p.prefixes.length} prefixes`);
      const keys = res.pages.flatMap((p) => p.keys), prefixes = res.pages.flatMap((p) => p.prefixes);
      assert.equal(new Set(keys).size, keys.length, `duplicate keys: ${keys}`);
      assert.equal(new Set(prefixes).size, prefixes.length, `duplicate prefixes: ${prefixes}`);
      assert.deepEqual(keys, expected.keys);
      assert.deepEqual([...prefixes].sort(utf8cmp), expected.prefixes);
      assert.equal(res.pages.length, Math.max(1, Math.ceil((expected.keys.length + expected.prefixes.length) / pageSize)), "page count");
      return res.pages;
    };

    it("ListObjectsV2 paginator, MaxKeys 2, over a repository: every key once, in order, sizes and ETags right", async () => {
      const [res] = await boto(["paginate", { op: "list_objects_v2", bucket: "demo-org", prefix: "public-data/", page_size: 2 }]);
      const pages = checkPages(res, 2, s3List("demo-org", "public-data/"));
      for (const p of pages)
        for (const k of p.keys) {
          assert.equal(p.sizes[k], fx("demo-org", k).size, `size of ${k}`);
          assert.equal(p.etags[k], `"${fx("demo-org", k).md5}"`, `ETag of ${k}`);
        }
    });

    it("ListObjectsV2 paginator with Delimiter over the awkward keys: keys and CommonPrefixes exactly", async () => {
      const [res] = await boto(["paginate", { op: "list_objects_v2", bucket: "demo-org", prefix: "public-data/awkward/", delimiter: "/", page_size: 2 }]);
      checkPages(res, 2, s3List("demo-org", "public-data/awkward/", "/"));
    });

    it("ListObjects V1 paginator (Marker / NextMarker), MaxKeys 3, over a signed repository and with a Delimiter", async () => {
      const [flat, delimited] = await boto(["paginate", { op: "list_objects", bucket: "demo-org", prefix: "secret-data/", page_size: 3 }],
        ["paginate", { op: "list_objects", bucket: "demo-org", prefix: "public-data/awkward/", delimiter: "/", page_size: 2 }]);
      checkPages(flat, 3, s3List("demo-org", "secret-data/"));
      checkPages(delimited, 2, s3List("demo-org", "public-data/awkward/", "/"));
    });

    it("repository listing: the account lists its repositories as CommonPrefixes, paginated and prefix-filtered", async () => {
      const [v2, filtered, geo, v1] = await boto(["paginate", { op: "list_objects_v2", bucket: "demo-org", delimiter: "/", page_size: 1 }],
        ["paginate", { op: "list_objects_v2", bucket: "demo-org", delimiter: "/", prefix: "sec", page_size: 1000 }],
        ["paginate", { op: "list_objects_v2", bucket: "geo-lab", delimiter: "/", page_size: 1000 }],
        ["paginate", { op: "list_objects", bucket: "demo-org", delimiter: "/", page_size: 1 }]);
      checkPages(v2, 1, { keys: [], prefixes: ["federated-data/", "public-data/", "secret-data/"] });
      checkPages(filtered, 1000, { keys: [], prefixes: ["secret-data/"] });
      checkPages(geo, 1000, { keys: [], prefixes: ["rasters/"] });
      checkPages(v1, 1, { keys: [], prefixes: ["federated-data/", "public-data/", "secret-data/"] });
    });

    it("download_file of the 2 MiB blob with 256 KiB parts: several ranged GETs, exact bytes", async () => {
      const dest = path.join(tmpdir("boto"), "blob.bin");
      const [res] = await boto(["download", { bucket: "demo-org", key: "public-data/big/blob.bin", dest, chunk: 256 * 1024 }]);
      assert.equal(res.error, undefined, JSON.stringify(res.error));
      assert.ok(res.ranges.length >= 8 && res.ranges.every((r) => /^bytes=\d+-\d*$/.test(r)), `ranges sent: ${res.ranges}`);
      assert.ok(fs.readFileSync(dest).equals(Buffer.from(blob(BIG_SIZE))), "downloaded bytes differ from seed.py's blob");
    });

    it("conditional gets: 304 / 412 exactly where S3 answers them, 200 otherwise", async () => {
      const row = fx("demo-org", "public-data/README.txt");
      const head = await direct(row, { method: "HEAD" });
      const etag = head.headers.etag, lastMod = new Date(head.headers["last-modified"]);
      const past = new Date(lastMod.getTime() - 86400_000).toISOString(), future = new Date(Date.now() + 86400_000 * 365).toISOString();
      const base = { bucket: "demo-org", key: "public-data/README.txt" };
      const cases = [
        [{ IfNoneMatch: etag }, 304],
        [{ IfMatch: '"0123456789abcdef0123456789abcdef"' }, 412],
        [{ IfModifiedSince: future }, 304],
        [{ IfUnmodifiedSince: past }, 412],
        [{ IfMatch: etag }, 200],
        [{ IfNoneMatch: '"0123456789abcdef0123456789abcdef"' }, 200],
        [{ IfModifiedSince: past }, 200],
        [{ IfUnmodifiedSince: future }, 200],
      ];
      const [res] = await boto(["get", cases.map(([c]) => ({ ...base, ...c }))]);
      cases.forEach(([c, want], i) => {
        const got = res[i].error?.status ?? res[i].status;
        assert.equal(got, want, `${JSON.stringify(c)}: ${JSON.stringify(res[i].error ?? res[i].status)}`);
        if (want === 200) assert.deepEqual(Buffer.from(res[i].body_b64, "base64"), bodyOf(row));
      });
    });

    it("get_object response-* overrides are honoured for signed callers, refused for anonymous ones (as S3)", async () => {
      const get = ["get", [{ bucket: "demo-org", key: "public-data/nested/data.csv", ResponseContentType: "application/x-s3p-test",
        ResponseContentDisposition: 'attachment; filename="scores.csv"', ResponseCacheControl: "no-store", ResponseContentLanguage: "en" }]];
      const [[anonymous]] = await boto(get);
      assert.deepEqual(anonymous.error, { status: 400, code: "InvalidRequest" });
      const [[r]] = await botoSigned(get);
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      assert.equal(r.headers["content-type"], "application/x-s3p-test");
      assert.equal(r.headers["content-disposition"], 'attachment; filename="scores.csv"');
      assert.equal(r.headers["cache-control"], "no-store");
      assert.equal(r.headers["content-language"], "en");
      assert.deepEqual(Buffer.from(r.body_b64, "base64"), bodyOf(fx("demo-org", "public-data/nested/data.csv")));
    });

    it("awkward keys round-trip through get_object and appear in the listing exactly", async () => {
      const all = s3List("demo-org", "public-data/awkward/").keys, keys = all.filter((k) => !hasDotSegment(k));
      assert.equal(keys.length, 6);
      const [res, listed] = await boto(["get", keys.map((key) => ({ bucket: "demo-org", key }))],
        ["paginate", { op: "list_objects_v2", bucket: "demo-org", prefix: "public-data/awkward/", page_size: 1000 }]);
      keys.forEach((key, i) => {
        assert.equal(res[i].error, undefined, `${key}: ${JSON.stringify(res[i].error)}`);
        assert.equal(Buffer.from(res[i].body_b64, "base64").toString("utf8"), fx("demo-org", key).backendKey, key);
      });
      assert.deepEqual(listed.pages.flatMap((p) => p.keys), all);
    });

    it("a key with a '..' segment is listed exactly but cannot be addressed (documented limitation)", async () => {
      // S3 keys are opaque, but the Workers runtime resolves dot segments in the request URL (WHATWG URL parsing)
      // before any Worker code runs: GET .../dots/../x.txt arrives as .../x.txt. README "Limitations" says so; this
      // test pins the behaviour so a runtime change that fixes (or worsens) it is noticed.
      const dots = "public-data/awkward/dots/../x.txt", phantom = "public-data/nested/deeper/../data.csv";
      const [[exact, ghost], listed] = await boto(["get", [{ bucket: "demo-org", key: dots }, { bucket: "demo-org", key: phantom }]],
        ["paginate", { op: "list_objects_v2", bucket: "demo-org", prefix: "public-data/awkward/dots/", page_size: 1000 }]);
      assert.deepEqual(listed.pages.flatMap((p) => p.keys), [dots]);
      assert.equal(exact.error?.status, 404, "read as public-data/awkward/x.txt, which does not exist");
      assert.equal(ghost.error, undefined, "read as public-data/nested/data.csv");
      assert.ok(Buffer.from(ghost.body_b64, "base64").equals(bodyOf(fx("demo-org", "public-data/nested/data.csv"))));
    });

    it("HeadBucket and GetBucketLocation on an account; 404 for an unknown one", async () => {
      const [res] = await boto(["buckets", ["demo-org", "no-such-account"]]);
      assert.deepEqual(res["demo-org"].head, { status: 200 });
      assert.equal(res["demo-org"].location.status, 200);
      assert.ok([null, "", REGION].includes(res["demo-org"].location.LocationConstraint ?? null), JSON.stringify(res["demo-org"].location));
      assert.equal(res["no-such-account"].head.error?.status, 404);
      assert.equal(res["no-such-account"].location.error?.code, "NoSuchBucket");
    });
  });

  // ---------------------------------------------------------------------------------- @aws-sdk/client-s3
  describe("@aws-sdk/client-s3 (forcePathStyle, anonymous)", () => {
    let s3;
    before(() => {
      s3 = new S3Client({ endpoint: proxy.url, region: REGION, forcePathStyle: true, maxAttempts: 1,
        credentials: { accessKeyId: "anonymous", secretAccessKey: "anonymous" }, signer: { sign: async (r) => r } });
    });
    after(() => s3?.destroy());
    const bytes = async (r) => Buffer.from(await r.Body.transformToByteArray());

    it("GetObject returns the exact bytes, also of the awkward keys (the '..' one has its own test)", async () => {
      const readme = fx("demo-org", "public-data/README.txt");
      assert.deepEqual(await bytes(await s3.send(new GetObjectCommand({ Bucket: "demo-org", Key: "public-data/README.txt" }))), bodyOf(readme));
      for (const key of s3List("demo-org", "public-data/awkward/").keys.filter((k) => !hasDotSegment(k))) {
        const got = await s3.send(new GetObjectCommand({ Bucket: "demo-org", Key: key })).then(bytes, (e) => assert.fail(`${key}: ${e.name} ${e.$metadata?.httpStatusCode}`));
        assert.deepEqual(got, bodyOf(fx("demo-org", key)), key);
      }
    });

    it("GetObject with Range (signed backend): 206 bytes and ContentRange", async () => {
      const r = await s3.send(new GetObjectCommand({ Bucket: "demo-org", Key: "secret-data/big/blob.bin", Range: "bytes=100000-165535" }));
      assert.equal(r.$metadata.httpStatusCode, 206);
      assert.equal(r.ContentRange, `bytes 100000-165535/${BIG_SIZE}`);
      assert.ok((await bytes(r)).equals(Buffer.from(blob(165536).subarray(100000))));
    });

    it("HeadObject returns length, ETag, type and metadata as stored", async () => {
      const row = fx("demo-org", "public-data/meta/tagged.txt");
      const r = await s3.send(new HeadObjectCommand({ Bucket: "demo-org", Key: "public-data/meta/tagged.txt" }));
      assert.equal(r.ContentLength, row.size);
      assert.equal(r.ETag, `"${row.md5}"`);
      assert.equal(r.ContentType, row.content_type);
      assert.deepEqual(r.Metadata, row.metadata);
    });

    it("ListObjectsV2 with Delimiter: CommonPrefixes and Contents of a repository", async () => {
      const r = await s3.send(new ListObjectsV2Command({ Bucket: "demo-org", Prefix: "public-data/", Delimiter: "/" }));
      const want = s3List("demo-org", "public-data/", "/");
      assert.deepEqual((r.CommonPrefixes ?? []).map((p) => p.Prefix), want.prefixes);
      assert.deepEqual((r.Contents ?? []).map((o) => [o.Key, o.Size]), want.keys.map((k) => [k, fx("demo-org", k).size]));
      assert.equal(r.KeyCount, want.keys.length + want.prefixes.length);
      assert.equal(r.IsTruncated, false);
      assert.equal(r.Name, "demo-org");
    });

    it("ListObjectsV2 without encoding-type returns the awkward keys literally (XML-escaped only)", async () => {
      const r = await s3.send(new ListObjectsV2Command({ Bucket: "demo-org", Prefix: "public-data/awkward/" }));
      assert.deepEqual((r.Contents ?? []).map((o) => o.Key), s3List("demo-org", "public-data/awkward/").keys);
    });

    it("ListObjectsV2 at the account lists the repositories; HeadBucket answers 200", async () => {
      const r = await s3.send(new ListObjectsV2Command({ Bucket: "demo-org", Delimiter: "/" }));
      assert.deepEqual((r.CommonPrefixes ?? []).map((p) => p.Prefix), ["federated-data/", "public-data/", "secret-data/"]);
      assert.deepEqual(r.Contents ?? [], []);
      const h = await s3.send(new HeadBucketCommand({ Bucket: "demo-org" }));
      assert.equal(h.$metadata.httpStatusCode, 200);
    });
  });

  // ------------------------------------------------------------------------------------------------ rclone
  describe("rclone (anonymous, --s3-force-path-style)", skipUnless(HAVE.rclone, "rclone"), () => {
    // AWS_CA_BUNDLE (set on this machine) breaks rclone; no retries so a failure is reported, not waited out.
    const rclone = (endpoint, ...args) => client("env", ["-u", "AWS_CA_BUNDLE", "rclone", "--config", "/dev/null", "--s3-provider", "Other",
      "--s3-endpoint", endpoint, "--s3-force-path-style=true", "--s3-env-auth=false", "--retries", "1", "--low-level-retries", "1", ...args]);
    const sortedLines = (out) => lines(out).sort(utf8cmp);

    it("lsf of a repository lists its top level", async () => {
      const { stdout } = await rclone(proxy.url, "lsf", ":s3:demo-org/public-data/");
      const { keys, prefixes } = s3List("demo-org", "public-data/", "/");
      assert.deepEqual(sortedLines(stdout), [...keys, ...prefixes].map((k) => k.slice("public-data/".length)).sort(utf8cmp));
    });

    it("lsf -R of a repository equals lsf -R of the same prefix read directly from the emulator", async () => {
      const { stdout } = await rclone(proxy.url, "lsf", "-R", ":s3:demo-org/public-data/");
      const truth = await rclone(EMU, "lsf", "-R", ":s3:public-bucket/public-data/");
      assert.deepEqual(sortedLines(stdout), sortedLines(truth.stdout));
      for (const k of ["README.txt", "nested/deeper/file.txt", "awkward/unicodé-ключ.txt", "awkward/percent%41.txt"]) assert.ok(sortedLines(stdout).includes(k), k);
    });

    it("cat --offset --count of the signed repository's blob returns those bytes", async () => {
      const { stdout } = await rclone(proxy.url, "cat", "--offset", "123456", "--count", "70000", ":s3:demo-org/secret-data/big/blob.bin");
      assert.ok(stdout.equals(Buffer.from(blob(123456 + 70000).subarray(123456))));
    });

    it("copy of a directory and of a whole signed repository down reproduces seed.py's trees", async () => {
      const a = tmpdir("rclone-nested"), b = tmpdir("rclone-secret");
      await rclone(proxy.url, "copy", ":s3:demo-org/public-data/nested/", a);
      assert.deepEqual(tree(a), expectedTree("demo-org", "public-data/nested/"));
      await rclone(proxy.url, "copy", ":s3:demo-org/secret-data/", b);
      assert.deepEqual(tree(b), expectedTree("demo-org", "secret-data/"));
    });
  });

  // The same reads signed with the demo's access key, which the proxy verifies: rclone (aws-sdk-go v1) signs its
  // listings, ranged GETs and HEADs, and the proxy must accept every form of request it sends.
  describe("rclone (signed with the demo's access key, --s3-force-path-style)", skipUnless(HAVE.rclone, "rclone"), () => {
    const rclone = (...args) => client("env", ["-u", "AWS_CA_BUNDLE", "rclone", "--config", "/dev/null", "--s3-provider", "Other",
      "--s3-endpoint", proxy.url, "--s3-force-path-style=true", "--s3-access-key-id", SIGNING_KEY.id,
      "--s3-secret-access-key", SIGNING_KEY.secret, "--s3-region", REGION, "--retries", "1", "--low-level-retries", "1", ...args]);
    const sortedLines = (out) => lines(out).sort(utf8cmp);

    it("lsf and lsf -R of repositories list what the namespace holds", async () => {
      const { keys, prefixes } = s3List("demo-org", "secret-data/", "/");
      assert.deepEqual(sortedLines((await rclone("lsf", ":s3:demo-org/secret-data/")).stdout),
        [...keys, ...prefixes].map((k) => k.slice("secret-data/".length)).sort(utf8cmp));
      const all = sortedLines((await rclone("lsf", "-R", "--files-only", ":s3:demo-org/public-data/")).stdout);
      // rclone shows a "." or ".." segment in fullwidth dots (its own encoding, so a local copy cannot escape).
      const shown = (k) => k.split("/").map((seg) => (seg === "." || seg === ".." ? seg.replace(/\./g, "\uFF0E") : seg)).join("/");
      assert.deepEqual(all, s3List("demo-org", "public-data/").keys.map((k) => shown(k.slice("public-data/".length))).sort(utf8cmp));
    });

    it("cat --offset --count and cat of a whole object return those bytes", async () => {
      const { stdout } = await rclone("cat", "--offset", "123456", "--count", "70000", ":s3:demo-org/secret-data/big/blob.bin");
      assert.ok(stdout.equals(Buffer.from(blob(123456 + 70000).subarray(123456))));
      const readme = fx("demo-org", "public-data/README.txt");
      assert.equal(sha256((await rclone("cat", ":s3:demo-org/public-data/README.txt")).stdout), readme.sha256);
    });

    it("copy of a whole signed repository and of awkward keys down reproduces seed.py's trees", async () => {
      const a = tmpdir("rclone-signed-secret"), b = tmpdir("rclone-signed-awkward");
      await rclone("copy", ":s3:demo-org/secret-data/", a);
      assert.deepEqual(tree(a), expectedTree("demo-org", "secret-data/"));
      // The keys that need encoding in a signed path ("a b", "+", "=:", "%41", non-ASCII); not the "..", nor the "//"
      // one, which a filesystem cannot hold apart.
      await rclone("copy", "--exclude", "dots/**", "--exclude", "double/**", ":s3:demo-org/public-data/awkward/", b);
      assert.deepEqual(tree(b), expectedTree("demo-org", "public-data/awkward/", { skip: (k) => hasDotSegment(k) || k.includes("//") }));
    });
  });

  // ------------------------------------------------------------------------------------------------ s3cmd
  describe("s3cmd (path style via --host-bucket, signs v4 with a dummy key)", skipUnless(HAVE.s3cmd, "s3cmd"), () => {
    const s3cmd = (...args) => client("s3cmd", ["-c", "/dev/null", `--host=${hostPort}`, `--host-bucket=${hostPort}`, "--no-ssl",
      `--access_key=${SIGNING_KEY.id}`, `--secret_key=${SIGNING_KEY.secret}`, `--region=${REGION}`, ...args]);
    // "                          DIR  s3://b/p/" and "YYYY-MM-DD HH:MM  size  s3://b/k"
    const parse = (out) => lines(out).map((l) => {
      let m;
      if ((m = l.match(/^\s+DIR\s+(s3:\/\/.+)$/))) return ["DIR", m[1]];
      if ((m = l.match(/^\d{4}-\d\d-\d\d \d\d:\d\d\s+(\d+)\s+(s3:\/\/.+)$/))) return [Number(m[1]), m[2]];
      if ((m = l.match(/^\d{4}-\d\d-\d\d \d\d:\d\d\s+(s3:\/\/\S+)$/))) return ["BUCKET", m[1]];
      return ["?", l];
    });

    it("ls at the root lists the accounts", async () => {
      assert.deepEqual(parse((await s3cmd("ls")).stdout), Object.keys(REPOS).map((a) => ["BUCKET", `s3://${a}`]));
    });

    it("ls of the account lists the repositories; ls of a repository lists DIRs and objects", async () => {
      assert.deepEqual(parse((await s3cmd("ls", "s3://demo-org/")).stdout), [["DIR", "s3://demo-org/federated-data/"], ["DIR", "s3://demo-org/public-data/"], ["DIR", "s3://demo-org/secret-data/"]]);
      const { keys, prefixes } = s3List("demo-org", "public-data/", "/");
      assert.deepEqual(parse((await s3cmd("ls", "s3://demo-org/public-data/")).stdout),
        [...prefixes.map((p) => ["DIR", `s3://demo-org/${p}`]), ...keys.map((k) => [fx("demo-org", k).size, `s3://demo-org/${k}`])]);
    });

    it("ls -r lists the awkward keys exactly", async () => {
      const { keys } = s3List("demo-org", "public-data/awkward/");
      assert.deepEqual(parse((await s3cmd("ls", "-r", "s3://demo-org/public-data/awkward/")).stdout), keys.map((k) => [fx("demo-org", k).size, `s3://demo-org/${k}`]));
    });

    it("get of the signed blob and of awkward keys returns the exact bytes", async () => {
      const dir = tmpdir("s3cmd");
      const picks = ["secret-data/big/blob.bin", "public-data/awkward/a b.txt", "public-data/awkward/unicodé-ключ.txt", "public-data/awkward/plus+sign.txt"];
      for (const [i, key] of picks.entries()) {
        const out = path.join(dir, `f${i}`);
        await s3cmd("get", `s3://demo-org/${key}`, out);
        assert.equal(sha256(fs.readFileSync(out)), fx("demo-org", key).sha256, key);
      }
    });
  });

  // ------------------------------------------------------------------------------------------ GDAL /vsis3/
  describe("GDAL 3.6 /vsis3/ (anonymous, path style)", skipUnless(HAVE.gdal, "GDAL (gdal-bin)"), () => {
    const COG = "public-data/cogs/demo.tif";
    const cogPixel = (x, y) => (x * 3 + y * 5 + ((x * y) >> 7)) & 0xff; // seed.py cog_pixel()
    let local, gdalEnv;
    before(async () => {
      const row = fx("demo-org", COG);
      const r = await direct(row);
      assert.equal(r.status, 200);
      local = path.join(tmpdir("gdal"), "demo.tif");
      fs.writeFileSync(local, r.body);
      gdalEnv = { AWS_S3_ENDPOINT: hostPort, AWS_HTTPS: "NO", AWS_VIRTUAL_HOSTING: "FALSE", AWS_NO_SIGN_REQUEST: "YES", GDAL_PAM_ENABLED: "NO" };
    });
    const gdal = (cmd, ...args) => client(cmd, args, gdalEnv);
    const vsis3 = `/vsis3/demo-org/${COG}`;

    it("gdalinfo of the COG through the proxy matches gdalinfo of the local file", async () => {
      const remote = JSON.parse(text((await gdal("gdalinfo", "-json", vsis3)).stdout));
      const loc = JSON.parse(text((await gdal("gdalinfo", "-json", local)).stdout));
      assert.deepEqual(remote.size, [512, 512]);
      for (const f of ["size", "geoTransform", "coordinateSystem", "bands", "cornerCoordinates"]) assert.deepEqual(remote[f], loc[f], f);
      assert.equal(remote.metadata?.IMAGE_STRUCTURE?.LAYOUT, "COG");
    });

    it("a window read (gdal_translate -srcwin) equals the same read of the local file and seed.py's pixels", async () => {
      const dir = tmpdir("gdalwin");
      const [x0, y0, w, h] = [200, 150, 120, 90];
      const read = async (src, name) => {
        const out = path.join(dir, name);
        await gdal("gdal_translate", "-q", "-of", "ENVI", "-srcwin", String(x0), String(y0), String(w), String(h), src, out);
        return fs.readFileSync(out);
      };
      const remote = await read(vsis3, "remote.bin"), loc = await read(local, "local.bin");
      const want = Buffer.alloc(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) want[y * w + x] = cogPixel(x0 + x, y0 + y);
      assert.ok(loc.equals(want), "the local COG does not hold seed.py's pixels");
      assert.ok(remote.equals(loc), "the window read through /vsis3/ differs from the local read");
    });

    it("gdallocationinfo reads single pixels (full resolution and overview) like the local file", async () => {
      for (const [x, y] of [[0, 0], [511, 511], [300, 200]]) {
        const remote = text((await gdal("gdallocationinfo", "-valonly", vsis3, String(x), String(y))).stdout).trim();
        assert.equal(Number(remote), cogPixel(x, y), `pixel ${x},${y}`);
      }
      const ovr = async (src) => text((await gdal("gdallocationinfo", "-valonly", "-overview", "1", src, "100", "60")).stdout).trim();
      assert.equal(await ovr(vsis3), await ovr(local));
    });

    it("virtual-host style (AWS_VIRTUAL_HOSTING=TRUE, demo-org.localhost) reads the same window", async () => {
      const dir = tmpdir("gdalvhost");
      const env = { ...gdalEnv, AWS_S3_ENDPOINT: `${VHOST_DOMAIN}:${new URL(proxy.url).port}`, AWS_VIRTUAL_HOSTING: "TRUE" };
      const out = path.join(dir, "vhost.bin");
      await client("gdal_translate", ["-q", "-of", "ENVI", "-srcwin", "10", "400", "64", "64", vsis3, out], env);
      const want = Buffer.alloc(64 * 64);
      for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) want[y * 64 + x] = cogPixel(10 + x, 400 + y);
      assert.ok(fs.readFileSync(out).equals(want));
    });
  });

  // --------------------------------------------------------------------------------------- curl --aws-sigv4
  describe("curl --aws-sigv4", skipUnless(HAVE.curl, "curl"), () => {
    const curl = (url) => client("curl", ["-sS", "--fail-with-body", "--aws-sigv4", `aws:amz:${REGION}:s3`, "--user", `${SIGNING_KEY.id}:${SIGNING_KEY.secret}`,
      "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", url]);

    it("GET of an object (signed backend) returns the exact bytes", async () => {
      const { stdout } = await curl(`${proxy.url}/demo-org/secret-data/hello.txt`);
      assert.deepEqual(stdout, bodyOf(fx("demo-org", "secret-data/hello.txt")));
    });

    it("virtual-host style (demo-org.localhost): GET of an object and of the repository listing", async () => {
      const base = `http://demo-org.${VHOST_DOMAIN}:${new URL(proxy.url).port}`;
      assert.deepEqual((await curl(`${base}/public-data/awkward/plus%2Bsign.txt`)).stdout, bodyOf(fx("demo-org", "public-data/awkward/plus+sign.txt")));
      // Query already in SigV4 order: curl 7.88 signs the query as written, unsorted (curl/curl#9717; S3 refuses
      // such signatures too).
      const xml = text((await curl(`${base}/?delimiter=%2F&list-type=2`)).stdout);
      assert.deepEqual([...xml.matchAll(/<CommonPrefixes><Prefix>(.*?)<\/Prefix><\/CommonPrefixes>/g)].map((m) => m[1]), ["federated-data/", "public-data/", "secret-data/"]);
    });

    it("GET of a listing returns the prefix's keys", async () => {
      const { stdout } = await curl(`${proxy.url}/demo-org?list-type=2&prefix=public-data%2Fnested%2F`);
      const xml = text(stdout);
      assert.match(xml, /<ListBucketResult[\s>]/);
      assert.deepEqual([...xml.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => m[1]), s3List("demo-org", "public-data/nested/").keys);
      assert.equal(xml.match(/<KeyCount>(\d+)<\/KeyCount>/)?.[1], "2");
      assert.equal(xml.match(/<Name>(.*?)<\/Name>/)?.[1], "demo-org");
    });
  });

  // -------------------------------------------------------------------------------------- headless Chromium
  describe("headless Chromium: a page on another origin reads a Range through CORS", skipUnless(HAVE.chromium, "chromium"), () => {
    let server, browser, pageOrigin;
    const RANGE = [1_000_000, 1_000_063];
    before(async () => {
      server = http.createServer((req, res) => {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        // A non-safelisted request header (like the AWS JS SDK's amz-sdk-invocation-id) forces a CORS preflight.
        res.end(`<!doctype html><title>loading</title><script>
(async () => {
  try {
    const r = await fetch(${JSON.stringify(`${proxy.url}/demo-org/public-data/big/blob.bin`)},
      { headers: { range: "bytes=${RANGE[0]}-${RANGE[1]}", "amz-sdk-invocation-id": "s3p-browser-test" } });
    const bytes = Array.from(new Uint8Array(await r.arrayBuffer()));
    const miss = await fetch(${JSON.stringify(`${proxy.url}/demo-org/public-data/no/such-key.txt`)}, { headers: { "amz-sdk-invocation-id": "s3p-browser-test" } });
    document.title = JSON.stringify({ status: r.status, contentRange: r.headers.get("content-range"), etag: r.headers.get("etag"),
      requestId: r.headers.get("x-amz-request-id"), bytes,
      miss: { status: miss.status, requestId: miss.headers.get("x-amz-request-id"), body: await miss.text() } });
  } catch (e) { document.title = JSON.stringify({ error: String(e) }); }
})();
</script>`);
      });
      await new Promise((r) => server.listen(0, "127.0.0.1", r));
      pageOrigin = `http://127.0.0.1:${server.address().port}`;
    });
    after(async () => {
      await browser?.close();
      await new Promise((r) => (server ? server.close(r) : r()));
    });

    it("fetch with Range + a non-simple header: preflight passes, 206 bytes and Content-Range readable from JS; errors readable", async () => {
      const { chromium } = await import("playwright-core");
      browser = await chromium.launch({ executablePath: "/usr/bin/chromium", timeout: 30_000,
        args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
      const page = await browser.newPage();
      const consoleErrors = [];
      page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
      proxy.logs.length = 0;
      await page.goto(`${pageOrigin}/`);
      await page.waitForFunction(() => document.title.startsWith("{"), null, { timeout: 20_000 });
      const got = JSON.parse(await page.title());
      assert.equal(got.error, undefined, `${got.error} ${consoleErrors.join(" | ")}`);
      assert.equal(got.status, 206);
      assert.equal(got.contentRange, `bytes ${RANGE[0]}-${RANGE[1]}/${BIG_SIZE}`);
      assert.deepEqual(got.bytes, Array.from(blob(RANGE[1] + 1).subarray(RANGE[0])));
      assert.equal(got.etag, (await direct(fx("demo-org", "public-data/big/blob.bin"), { method: "HEAD" })).headers.etag);
      assert.match(got.requestId ?? "", /^[0-9A-F]{16}$/);
      // Errors are CORS-readable too: status, S3 XML body and its RequestId = x-amz-request-id.
      assert.equal(got.miss.status, 404);
      assert.match(got.miss.body, /<Code>NoSuchKey<\/Code>/);
      assert.equal(got.miss.body.match(/<RequestId>(.*?)<\/RequestId>/)?.[1], got.miss.requestId);
      await new Promise((r) => setTimeout(r, 100));
      const preflights = proxy.logs.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).filter((l) => l.method === "OPTIONS");
      assert.ok(preflights.some((l) => l.path === "/demo-org/public-data/big/blob.bin"), `no preflight reached the proxy: ${proxy.logs.join("\n")}`);
    });
  });
});
