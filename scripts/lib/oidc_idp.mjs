// A small OIDC identity provider on loopback, standing in for GitHub Actions / GitLab / Kubernetes in the tests and
// the local demo (./scripts/run): it serves /.well-known/openid-configuration and /jwks.json on 127.0.0.1 (a free
// port), and mints RS256 and ES256 ID tokens with node:crypto. For the negative tests it also mints what a
// verifier must refuse: expired, not yet valid, wrong aud or iss, alg none, HS256 keyed with the public key's
// bytes (the classic confusion attack), an unknown kid, a bad signature. It counts JWKS fetches.
//
//   const idp = await startIdp();            // idp.issuer = "http://127.0.0.1:PORT", idp.jwksUrl
//   const t = idp.mint({ sub: "repo:org/app:ref:refs/heads/main", aud: "sts.amazonaws.com" });
//   idp.jwksFetches; idp.rotate();  await idp.close();
import crypto from "node:crypto";
import http from "node:http";

const b64url = (buf) => Buffer.from(buf).toString("base64url");
const part = (obj) => b64url(JSON.stringify(obj));

function keyPair(kind, kid) {
  const { privateKey, publicKey } = kind === "EC"
    ? crypto.generateKeyPairSync("ec", { namedCurve: "P-256" })
    : crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, use: "sig", alg: kind === "EC" ? "ES256" : "RS256" };
  return { kid, kind, privateKey, publicKey, jwk };
}

export async function startIdp({ port = 0, host = "127.0.0.1" } = {}) {
  const keys = [keyPair("RSA", "rsa-1"), keyPair("EC", "ec-1")];
  const unpublished = keyPair("RSA", "rsa-unpublished");
  const state = { jwksFetches: 0, failJwks: 0, delayMs: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/.well-known/openid-configuration") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ issuer: idp.issuer, jwks_uri: idp.jwksUrl, id_token_signing_alg_values_supported: ["RS256", "ES256"],
        response_types_supported: ["id_token"], subject_types_supported: ["public"] }));
      return;
    }
    if (url.pathname === "/jwks.json") {
      state.jwksFetches++;
      const answer = () => {
        if (state.failJwks > 0) {
          state.failJwks--;
          res.writeHead(503);
          res.end("unavailable");
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
      };
      if (state.delayMs) setTimeout(answer, state.delayMs);
      else answer();
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address();
  const issuer = `http://${host}:${bound}`;

  function sign(header, payload, key) {
    const input = `${part(header)}.${part(payload)}`;
    const sig = key.kind === "EC"
      ? crypto.sign("sha256", Buffer.from(input), { key: key.privateKey, dsaEncoding: "ieee-p1363" }) // raw r||s
      : crypto.sign("sha256", Buffer.from(input), key.privateKey);
    return `${input}.${b64url(sig)}`;
  }

  const idp = {
    issuer,
    jwksUrl: `${issuer}/jwks.json`,
    get jwksFetches() { return state.jwksFetches; },
    resetCount() { state.jwksFetches = 0; },
    failNextJwks(n = 1) { state.failJwks = n; },
    delayJwks(ms) { state.delayMs = ms; },
    // Publishes the unpublished key too (a rotation): tokens with kid "rsa-unpublished" verify from then on.
    rotate() { if (!keys.includes(unpublished)) keys.push(unpublished); },
    claims(over = {}) {
      const now = Math.floor(Date.now() / 1000);
      return { iss: issuer, sub: "repo:my-org/pipeline:ref:refs/heads/main", aud: "sts.amazonaws.com",
        repository: "my-org/pipeline", ref: "refs/heads/main", iat: now - 5, nbf: now - 5, exp: now + 600, ...over };
    },
    // A good token: `alg` RS256 (default) or ES256; claims over the defaults above.
    mint(over = {}, { alg = "RS256", kid } = {}) {
      const key = alg === "ES256" ? keys[1] : keys[0];
      return sign({ alg, typ: "JWT", kid: kid ?? key.kid }, idp.claims(over), key);
    },
    // Tokens a verifier must refuse.
    bad: {
      expired: () => idp.mint({ exp: Math.floor(Date.now() / 1000) - 300, iat: Math.floor(Date.now() / 1000) - 900, nbf: Math.floor(Date.now() / 1000) - 900 }),
      notYetValid: () => idp.mint({ nbf: Math.floor(Date.now() / 1000) + 600 }),
      wrongAud: () => idp.mint({ aud: "someone-else" }),
      wrongIss: () => idp.mint({ iss: "https://token.actions.githubusercontent.com" }),
      algNone: () => `${part({ alg: "none", typ: "JWT", kid: keys[0].kid })}.${part(idp.claims())}.`,
      // HS256 keyed with the RSA public key's bytes (PEM, as a naive verifier would take them as the HMAC secret).
      hs256PublicKey: () => {
        const input = `${part({ alg: "HS256", typ: "JWT", kid: keys[0].kid })}.${part(idp.claims())}`;
        const secret = keys[0].publicKey.export({ type: "spki", format: "pem" });
        return `${input}.${b64url(crypto.createHmac("sha256", secret).update(input).digest())}`;
      },
      hs256JwkBytes: () => {
        const input = `${part({ alg: "HS256", typ: "JWT", kid: keys[0].kid })}.${part(idp.claims())}`;
        return `${input}.${b64url(crypto.createHmac("sha256", JSON.stringify(keys[0].jwk)).update(input).digest())}`;
      },
      unknownKid: () => sign({ alg: "RS256", typ: "JWT", kid: "rsa-unpublished" }, idp.claims(), unpublished),
      // A real signature over other claims: the payload swapped after signing.
      badSignature: () => {
        const good = idp.mint().split(".");
        return `${good[0]}.${part(idp.claims({ sub: "repo:my-org/pipeline:ref:refs/heads/evil" }))}.${good[2]}`;
      },
    },
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
  return idp;
}

// `node scripts/lib/oidc_idp.mjs [--port N] [--token-file F]`: run it standalone (the demo): prints the issuer,
// writes a token to F, refreshes it every 5 minutes.
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
  const idp = await startIdp({ port: Number(arg("--port") ?? 0) });
  const file = arg("--token-file");
  const fs = await import("node:fs");
  const write = () => file && fs.writeFileSync(file, idp.mint());
  write();
  setInterval(write, 5 * 60 * 1000);
  console.log(JSON.stringify({ issuer: idp.issuer, jwks_url: idp.jwksUrl, token_file: file ?? null }));
}
