// Interoperability of Huitong's RFC 9421 signatures with the npm package
// http-message-signatures (CommonJS). Run by tests/auth/InteropTest.cpp:
//   node interop.js NPM_PREFIX sign WORKDIR SECRET
//     signs one request with hmac-sha256 (SECRET) and one with a fresh ed25519 key (public key
//     written to WORKDIR/ed25519.pub.pem); prints them as a JSON array of
//     {alg, keyid, method, url, headers, body}.
//   node interop.js NPM_PREFIX verify FILE
//     FILE: {secret, ed25519PublicKeyPem, requests: [{name, expect, method, url, headers, body}]}
//     verifies each (signature, required components and parameters, Content-Digest against the
//     body); prints "<name> ok" or "<name> rejected: why"; exits 1 when any result differs
//     from its `expect` ("ok" | "rejected").
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const [prefix, command, ...rest] = process.argv.slice(2);
const httpsig = require(path.join(prefix, 'node_modules', 'http-message-signatures'));

function contentDigest(body) {
  return `sha-256=:${crypto.createHash('sha256').update(body).digest('base64')}:`;
}

async function signOne(key, alg, keyid) {
  const body = JSON.stringify({ bizNo: 'MR-2026-000123', applicant: '张三', alg });
  const request = {
    method: 'POST',
    url: 'http://127.0.0.1:8600/intake/v1/marriage',
    headers: { 'Content-Type': 'application/json', 'Content-Digest': contentDigest(body) },
  };
  const signed = await httpsig.httpbis.signMessage(
    {
      key: httpsig.createSigner(key, alg, keyid),
      name: 'sig1',
      fields: ['@method', '@target-uri', 'content-digest', 'content-type'],
      params: ['created', 'expires', 'nonce', 'keyid', 'alg'],
      paramValues: { nonce: crypto.randomBytes(16).toString('base64url') },
    },
    request,
  );
  return { alg, keyid, method: signed.method, url: signed.url, headers: signed.headers, body };
}

async function sign(workdir, secret) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  fs.writeFileSync(path.join(workdir, 'ed25519.pub.pem'),
                   publicKey.export({ type: 'spki', format: 'pem' }));
  const out = [
    await signOne(Buffer.from(secret, 'utf8'), 'hmac-sha256', 'npm-hmac'),
    await signOne(privateKey, 'ed25519', 'npm-ed25519'),
  ];
  process.stdout.write(JSON.stringify(out) + '\n');
}

async function verifyOne(spec, keys) {
  const message = { method: spec.method, url: spec.url, headers: spec.headers };
  const ok = await httpsig.httpbis.verifyMessage(
    {
      keyLookup: async (params) => {
        const key = keys[params.keyid];
        if (!key) return null;
        return { id: params.keyid, algs: [key.alg], verify: httpsig.createVerifier(key.material, key.alg) };
      },
      requiredFields: ['@method', '@target-uri', 'content-digest'],
      requiredParams: ['created', 'nonce', 'keyid'],
      tolerance: 300,
    },
    message,
  );
  if (!ok) return 'signature does not verify';
  const digest = Object.entries(spec.headers).find(([n]) => n.toLowerCase() === 'content-digest');
  if (!digest || digest[1] !== contentDigest(Buffer.from(spec.body, 'utf8'))) {
    return 'Content-Digest does not match the body';
  }
  return null;
}

async function verify(file) {
  const input = JSON.parse(fs.readFileSync(file, 'utf8'));
  const keys = {
    'huitong-hmac': { alg: 'hmac-sha256', material: Buffer.from(input.secret, 'utf8') },
    'huitong-ed25519': { alg: 'ed25519', material: crypto.createPublicKey(input.ed25519PublicKeyPem) },
  };
  let allAsExpected = true;
  for (const spec of input.requests) {
    let why;
    try {
      why = await verifyOne(spec, keys);
    } catch (e) {
      why = `${e.name}: ${e.message}`;
    }
    const result = why === null ? 'ok' : 'rejected';
    if (result !== spec.expect) allAsExpected = false;
    process.stdout.write(`${spec.name} ${result}${why ? ': ' + why : ''}\n`);
  }
  process.exitCode = allAsExpected ? 0 : 1;
}

(async () => {
  if (command === 'sign') await sign(rest[0], rest[1]);
  else if (command === 'verify') await verify(rest[0]);
  else throw new Error(`unknown command ${command}`);
})().catch((e) => {
  process.stderr.write(`interop.js: ${e.stack || e}\n`);
  process.exitCode = 2;
});
