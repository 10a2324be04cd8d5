// Runs marriage.jsonata over NDJSON: one message per line, the expression compiled once and
// evaluated per message, one output line per message (as marriage.jq prints them).
//   node jsonata-run.mjs [--received-at RFC3339] [--latest yyyy-MM-ddTHH:mm:ss] FILE
// jsonata@2 is looked up in tests/bench/.node (run-map-bench.sh installs it there).
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '.node', 'package.json'));
const jsonata = require('jsonata');

const args = process.argv.slice(2);
const bindings = { received_at: '2026-12-01T00:00:00+08:00', latest: '2026-12-01T00:05:00' };
let file = null;
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--received-at') bindings.received_at = args[++i];
  else if (args[i] === '--latest') bindings.latest = args[++i];
  else file = args[i];
}
if (!file) {
  process.stderr.write('usage: node jsonata-run.mjs [--received-at T] [--latest T] FILE\n');
  process.exit(2);
}

const expression = jsonata(fs.readFileSync(path.join(here, 'marriage.jsonata'), 'utf8'));
const lines = readline.createInterface({
  input: fs.createReadStream(file, { highWaterMark: 1 << 20 }),
  crlfDelay: Infinity,
});

let pending = [];
let pendingBytes = 0;
const flush = () => {
  fs.writeSync(1, pending.join(''));
  pending = [];
  pendingBytes = 0;
};
let messages = 0;
for await (const line of lines) {
  if (line.length === 0) continue;
  ++messages;
  const out = JSON.stringify(await expression.evaluate(JSON.parse(line), bindings)) + '\n';
  pending.push(out);
  pendingBytes += out.length;
  if (pendingBytes > 1 << 16) flush();
}
flush();
process.stderr.write(`messages=${messages}\n`);
