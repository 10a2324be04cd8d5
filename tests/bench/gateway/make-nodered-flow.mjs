// Writes the Node-RED peer of the gateway benchmark: flows.json and settings.js in a userDir.
//   node make-nodered-flow.mjs --user-dir DIR --port P --platform URL --token T
//                              --journal FILE --persist file|fsync
// The flow, core nodes only:
//   http in POST /intake/v1/marriage
//   → change: msg.payload = the marriage mapping in JSONata (../marriage.jsonata, the peer of
//     the map benchmark: same tables, transforms and case-event/1 checks), with
//     $received_at = now (+08:00) and $latest = now + 5 min
//   → switch: payload.rejected exists → 422 with the rejections
//   → persist, one JSON line per event:
//       file:  the core `file` node appending to FILE (Node's fs stream, no fsync)
//       fsync: a function node, fs.writeSync + fs.fdatasyncSync per message (durable before
//              the answer, one sync per message: no group commit)
//   → http request POST {platform}/exchange/v1/case-events (bearer token, keep-alive)
//   → switch: 200 → 202 {"message_id", "events": [event_id]}; else 502
//   → http response
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = {};
for (let i = 0; i < args.length; i += 2) opt[args[i].replace(/^--/, '')] = args[i + 1];
for (const k of ['user-dir', 'port', 'platform', 'token', 'journal', 'persist']) {
  if (!opt[k]) {
    process.stderr.write(`make-nodered-flow.mjs: --${k} is required\n`);
    process.exit(2);
  }
}

// The map benchmark's expression evaluates a message bound to `$` with two bindings; in a
// change node `$` is msg, so the message is msg.payload and the bindings are computed.
let expr = fs.readFileSync(path.join(here, '..', 'marriage.jsonata'), 'utf8');
const root = '  $m := $;';
if (!expr.includes(root)) throw new Error('marriage.jsonata: no "$m := $;" line');
expr = expr.replace(root, [
  '  $m := payload;',
  '  $received_at := $fromMillis($millis(), "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]+08:00", "+0800");',
  '  $latest := $fromMillis($millis() + 300000, "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]", "+0800");',
].join('\n'));

const tab = 'bench';
const node = (id, type, props, wires = []) => ({ id, type, z: tab, x: 0, y: 0, wires, ...props });
const persist = opt.persist === 'fsync'
  ? node('persist', 'function', {
      name: 'append + fdatasync',
      func: [
        "const fs = global.get('fs');",
        "let fd = context.get('fd');",
        `if (fd === undefined) { fd = fs.openSync(${JSON.stringify(opt.journal)}, 'a'); context.set('fd', fd); }`,
        "fs.writeSync(fd, JSON.stringify(msg.payload) + '\\n');",
        'fs.fdatasyncSync(fd);',
        'return msg;',
      ].join('\n'),
      outputs: 1,
    }, [['toPlatform']])
  : node('persist', 'file', {
      name: 'append (no fsync)',
      filename: opt.journal,
      filenameType: 'str',
      appendNewline: true,
      createDir: false,
      overwriteFile: 'false',
      encoding: 'none',
    }, [['toPlatform']]);

const flows = [
  { id: tab, type: 'tab', label: 'huitong gateway bench' },
  node('intake', 'http in', { url: '/intake/v1/marriage', method: 'post', upload: false },
       [['map']]),
  node('map', 'change', {
    name: 'marriage mapping (JSONata)',
    rules: [{ t: 'set', p: 'payload', pt: 'msg', to: expr, tot: 'jsonata' }],
  }, [['valid']]),
  node('valid', 'switch', {
    property: 'payload.rejected', propertyType: 'msg',
    rules: [{ t: 'nnull' }, { t: 'else' }], checkall: 'false', outputs: 2,
  }, [['rejected'], ['persist']]),
  node('rejected', 'change', {
    rules: [
      { t: 'set', p: 'statusCode', pt: 'msg', to: '422', tot: 'num' },
      { t: 'set', p: 'headers', pt: 'msg', to: '{"content-type":"application/problem+json"}', tot: 'json' },
    ],
  }, [['answer']]),
  persist,
  node('toPlatform', 'change', {
    rules: [
      { t: 'set', p: 'event_id', pt: 'msg', to: 'payload.event_id', tot: 'msg' },
      { t: 'set', p: 'headers', pt: 'msg', tot: 'json',
        to: JSON.stringify({ 'content-type': 'application/json',
                             authorization: `Bearer ${opt.token}` }) },
    ],
  }, [['deliver']]),
  node('deliver', 'http request', {
    method: 'POST', ret: 'obj', paytoqs: 'ignore',
    url: `${opt.platform}/exchange/v1/case-events`, persist: true, senderr: false,
  }, [['delivered']]),
  node('delivered', 'switch', {
    property: 'statusCode', propertyType: 'msg',
    rules: [{ t: 'eq', v: '200', vt: 'num' }, { t: 'else' }], checkall: 'false', outputs: 2,
  }, [['accepted'], ['failed']]),
  node('accepted', 'change', {
    rules: [
      { t: 'set', p: 'payload', pt: 'msg', tot: 'jsonata',
        to: '{"message_id": _msgid, "events": [event_id], "rejected": []}' },
      { t: 'set', p: 'statusCode', pt: 'msg', to: '202', tot: 'num' },
      { t: 'set', p: 'headers', pt: 'msg', to: '{"content-type":"application/json"}', tot: 'json' },
    ],
  }, [['answer']]),
  node('failed', 'change', {
    rules: [
      { t: 'set', p: 'statusCode', pt: 'msg', to: '502', tot: 'num' },
      { t: 'set', p: 'headers', pt: 'msg', to: '{}', tot: 'json' },
    ],
  }, [['answer']]),
  node('answer', 'http response', {}),
];

const dir = opt['user-dir'];
fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flows, null, 1));
fs.writeFileSync(path.join(dir, 'settings.js'), `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${Number(opt.port)},
  flowFile: 'flows.json',
  credentialSecret: false,
  httpAdminRoot: false,
  disableEditor: true,
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  functionGlobalContext: { fs: require('fs') },
  telemetry: { enabled: false },
  diagnostics: { enabled: false },
  runtimeState: { enabled: false },
};
`);
