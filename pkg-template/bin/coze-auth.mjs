#!/usr/bin/env node
// `coze-auth login`: logs in to Coze with the device code flow and prints the token.
// Everything for the human goes to stderr, so stdout carries only the token JSON.

import { writeFileSync, chmodSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DeviceOAuthApp, COZE_CN_BASE_URL, COZE_COM_BASE_URL } from '../node/index.mjs';

const USAGE = `Usage: coze-auth login --client-id ID [--region cn|com | --base-url URL] [--workspace-id W] [--out FILE] [--no-qr]

Logs in with the device code flow: shows a code and a URL, waits while you authorize in any
browser, then prints the token as JSON on stdout (or writes it to FILE with mode 0600).
  --client-id ID      the device-flow OAuth app's client id (Coze console, OAuth apps)
  --region cn|com     coze.cn (default) or coze.com; apps belong to one region
  --base-url URL      another API base, e.g. a private deployment
  --workspace-id W    authorize for one workspace
  --out FILE          write the token here (mode 0600) instead of stdout
  --no-qr             do not draw the QR code`;

const err = (line) => process.stderr.write(line + '\n');

/** Ends the process with one clear line on stderr. */
function die(message, code = 1) {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  err(`coze-auth: ${message}`);
  process.exit(code);
}

function parse(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'client-id': { type: 'string' },
        region: { type: 'string' },
        'base-url': { type: 'string' },
        'workspace-id': { type: 'string' },
        out: { type: 'string' },
        'no-qr': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    die(`${e.message}\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  if (positionals.length !== 1 || positionals[0] !== 'login') die(`expected the command "login".\n${USAGE}`, 2);
  if (!values['client-id']) die('--client-id is required.', 2);
  if (values.region && values['base-url']) die('give --region or --base-url, not both.', 2);
  if (values.region && !['cn', 'com'].includes(values.region)) die('--region must be cn or com.', 2);
  return values;
}

async function qr(url) {
  try {
    const { renderUnicodeCompact } = await import('uqr');
    return renderUnicodeCompact(url, { border: 1 });
  } catch {
    return undefined; // the QR code is a convenience: without uqr, the URL is enough
  }
}

const mmss = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

async function login(values) {
  const baseURL = values['base-url'] ?? (values.region === 'com' ? COZE_COM_BASE_URL : COZE_CN_BASE_URL);
  const controller = new AbortController();
  // Ctrl-C aborts the flow: the pending sleep or request ends at once and nothing outlives it.
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());

  const app = new DeviceOAuthApp({ clientId: values['client-id'], baseURL });
  const dc = await app.getDeviceCode({ workspaceId: values['workspace-id'], signal: controller.signal });
  err('');
  err(`  To log in, open ${dc.verification_uri}`);
  err(`  and enter the code:  ${dc.user_code}`);
  err('');
  err(`  Or open this link:   ${dc.verification_url}`);
  const code = values['no-qr'] ? undefined : await qr(dc.verification_url);
  if (code) err('\n' + code);
  err('');

  const tty = process.stderr.isTTY;
  let status = 'waiting for you to authorize';
  const show = () => {
    const left = Math.max(0, dc.expires_in - Math.floor(Date.now() / 1000));
    process.stderr.write(`\r\x1b[K  ${status}… code expires in ${mmss(left)}`);
  };
  const ticker = tty ? setInterval(show, 1000) : undefined;
  if (tty) show();
  try {
    const token = await app.getAccessToken({
      deviceCode: dc.device_code,
      poll: true,
      signal: controller.signal,
      onPending: ({ attempt, interval, slowDown }) => {
        status = `waiting for you to authorize (poll ${attempt}, every ${interval} s${slowDown ? ', slowed down' : ''})`;
        if (!tty) err(`  ${status}`);
      },
    });
    if (tty) process.stderr.write('\r\x1b[K');
    return token;
  } finally {
    clearInterval(ticker);
  }
}

async function main() {
  const values = parse(process.argv.slice(2));
  let token;
  try {
    token = await login(values);
  } catch (e) {
    if (e?.code === 'aborted') die('login cancelled.', 130);
    die(e?.message ?? String(e));
  }
  const json = JSON.stringify(token, null, 2) + '\n';
  if (values.out) {
    try {
      writeFileSync(values.out, json, { mode: 0o600 });
      chmodSync(values.out, 0o600); // an existing file keeps its mode on write: set it
    } catch (e) {
      die(`could not write ${values.out}: ${e.message}`);
    }
    err(`  Logged in. The token is in ${values.out} (mode 0600).`);
  } else {
    err('  Logged in.');
    process.stdout.write(json);
  }
  process.exit(0);
}

main();
