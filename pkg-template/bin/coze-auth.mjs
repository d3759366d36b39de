#!/usr/bin/env node
// coze-auth: the package's command-line tool.
//   login   device code login: prints the token JSON (or writes --out FILE) and saves the login
//   token   prints a valid access token (one line), refreshing the saved login first if needed
//   status  the saved login's app, base URL and expiry (never a token)
//   logout  removes the saved login
// Everything for the human goes to stderr, so stdout carries only the token (login, token) or the
// status. Text from the server or from files is never written to the terminal with control
// characters in it. Files are written through a new private file renamed into place.

import {
  closeSync,
  constants as FS,
  fchmodSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { homedir, hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DeviceOAuthApp, COZE_CN_BASE_URL, COZE_COM_BASE_URL } from '../node/index.mjs';

const USAGE = `Usage:
  coze-auth login --client-id ID [--region cn|com | --base-url URL] [--workspace-id W] [--out FILE] [--file PATH] [--no-qr]
  coze-auth token [--file PATH]
  coze-auth status [--file PATH]
  coze-auth logout [--file PATH]

  login    Logs in with the device code flow: shows a code and a URL, waits while you authorize
           in any browser, then prints the token as JSON on stdout (or writes it to --out FILE),
           and saves the login (token, refresh token, expiry, client id, base URL) in the
           credentials file.
  token    Prints a valid access token on stdout, one line and nothing else, refreshing the
           saved login first when the token expires within 2 minutes:
             curl -H "Authorization: Bearer $(coze-auth token)" …
  status   Shows the saved login: the app (client id), the base URL and when the token expires.
           Never a token.
  logout   Removes the saved login (the token is not revoked at Coze).

  --client-id ID      the device-flow OAuth app's client id (Coze console, OAuth apps)
  --region cn|com     coze.cn (default) or coze.com; apps belong to one region
  --base-url URL      another API base, e.g. a private deployment
  --workspace-id W    authorize for one workspace
  --out FILE          write the token JSON here (mode 0600) instead of stdout
  --file PATH         the credentials file; default $XDG_CONFIG_HOME/coze-auth/credentials.json,
                      else ~/.config/coze-auth/credentials.json
  --no-qr             do not draw the QR code
  -h, --help          this text

Files are written with mode 0600 through a new file renamed over the target; a target that exists
must be a regular file of yours (a symbolic link is refused). Exit status: 0 done, 1 failed,
2 usage error, 130 cancelled.`;

/** Which options each command takes. */
const COMMANDS = {
  login: ['client-id', 'region', 'base-url', 'workspace-id', 'out', 'file', 'no-qr'],
  token: ['file'],
  status: ['file'],
  logout: ['file'],
};

/**
 * `coze-auth token` refreshes when the access token expires within this many seconds. The token
 * it prints is used right away by a script, maybe for a minute-long run of requests, and the
 * machine's clock may be off from Coze's by tens of seconds: a token with less than 2 minutes left
 * could die mid-use (the official SDKs' 5-30 s margins only cover a request in flight). The
 * lifetime of device-flow access tokens is not documented; with a 15-minute one (the JWT grant's
 * default) a larger margin would refresh much more often for nothing (5 minutes: every 10 minutes
 * of use instead of every 13).
 */
const REFRESH_MARGIN_S = 120;
/** A lock older than this was left by a process that died or hung: it is taken over. */
const LOCK_STALE_MS = 30_000;
/** How long `token` waits for another process's lock before giving up (past LOCK_STALE_MS). */
const LOCK_WAIT_MS = 40_000;
/** The refresh request's time limit: well under LOCK_STALE_MS, so a live holder is never taken over. */
const REFRESH_TIMEOUT_MS = 15_000;
const CREDENTIALS_VERSION = 1;

// ------------------------------------------------------------------------------------------------
// Terminal output
// ------------------------------------------------------------------------------------------------

/**
 * C0 controls (ESC, BEL, CR, …), DEL, C1 controls (CSI U+009B, OSC U+009D, …), and the Unicode
 * bidirectional controls, which reorder how a terminal shows the text around them.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

/** Outside text made safe to print on one line: tabs and line breaks become spaces, other controls go. */
const clean = (text) => String(text).replace(/[\t\n\r]+/g, ' ').replace(CONTROLS, '');

/** A path or other outside value, cleaned and quoted when it has spaces. */
const q = (text) => {
  const s = clean(text);
  return /\s/.test(s) || s === '' ? JSON.stringify(s) : s;
};

const err = (line) => process.stderr.write(line + '\n');

/** An error that ends the command with one line on stderr (`coze-auth: …`) and `exitCode`. */
class Exit extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
const usage = (message) => new Exit(`${message}\n${USAGE}`, 2);
const cancelled = () => new Exit('cancelled.', 130);

/** Writes what is pending on stdout and stderr, then exits (pending sockets must not hold the process). */
function finish(code) {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

// ------------------------------------------------------------------------------------------------
// Arguments
// ------------------------------------------------------------------------------------------------

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
        file: { type: 'string' },
        'no-qr': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw usage(clean(e.message));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help', values };
  const command = positionals[0];
  if (positionals.length !== 1 || !Object.hasOwn(COMMANDS, command)) {
    throw usage(`expected one command: ${Object.keys(COMMANDS).join(', ')}.`);
  }
  for (const name of Object.keys(values)) {
    if (!COMMANDS[command].includes(name)) throw usage(`--${name} does not apply to "${command}".`);
  }
  for (const name of ['client-id', 'base-url', 'workspace-id', 'out', 'file']) {
    if (values[name] === '') throw usage(`--${name} needs a value.`);
  }
  if (command === 'login') {
    if (!values['client-id']) throw usage('--client-id is required.');
    if (values.region && values['base-url']) throw usage('give --region or --base-url, not both.');
    if (values.region && !['cn', 'com'].includes(values.region)) throw usage('--region must be cn or com.');
  }
  return { command, values };
}

/** The credentials file: --file, else $XDG_CONFIG_HOME/coze-auth/credentials.json, else ~/.config/…. */
function credentialsPath(values) {
  if (values.file) return resolve(values.file);
  const xdg = process.env.XDG_CONFIG_HOME;
  const config = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config'); // the XDG spec ignores a relative path
  return join(config, 'coze-auth', 'credentials.json');
}

// ------------------------------------------------------------------------------------------------
// Safe file writes
// ------------------------------------------------------------------------------------------------

const O_NOFOLLOW = FS.O_NOFOLLOW ?? 0;
const MY_UID = typeof process.getuid === 'function' ? process.getuid() : undefined;
const CREATE_NEW = FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | O_NOFOLLOW;

/** A short human reason for a file system error. */
function fsReason(e) {
  switch (e?.code) {
    case 'ENOENT': return 'its folder does not exist';
    case 'ENOTDIR': return 'a part of its path is not a folder';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EROFS': return 'the file system is read-only';
    case 'ENOSPC': return 'no space left on the device';
    case 'EISDIR': return 'it is a folder';
    case 'ELOOP': return 'it is a symbolic link';
    default: return clean(e?.message ?? e);
  }
}

/**
 * Refuses a target that exists and is not a regular file of the current user: a symbolic link
 * (it would send the token elsewhere), a folder or device, or another user's file.
 */
function checkTarget(path) {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if (e.code === 'ENOENT') return;
    throw new Exit(`cannot write ${q(path)}: ${fsReason(e)}.`);
  }
  if (st.isSymbolicLink()) throw new Exit(`refusing to write ${q(path)}: it is a symbolic link.`);
  if (!st.isFile()) throw new Exit(`refusing to write ${q(path)}: it is not a regular file.`);
  if (MY_UID !== undefined && st.uid !== MY_UID) {
    throw new Exit(`refusing to write ${q(path)}: it belongs to another user (uid ${st.uid}).`);
  }
}

/** Creates a new private file beside `path` (never following a link): {tmp, fd}. */
function createTemp(path) {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  return { tmp, fd: openSync(tmp, CREATE_NEW, 0o600) };
}

/** Checks, before anything is asked of the user, that `path` can be written later. */
function checkWritable(path) {
  checkTarget(path);
  try {
    const { tmp, fd } = createTemp(path);
    closeSync(fd);
    unlinkSync(tmp);
  } catch (e) {
    throw new Exit(`cannot write ${q(path)}: ${fsReason(e)}.`);
  }
}

/**
 * Writes `text` to `path` with mode 0600 from the first byte: a new file beside it, created
 * exclusively, written and flushed to disk, then renamed over the target (so no reader ever sees
 * half a file, and an existing file with a wider mode never holds the text). Throws an Exit.
 */
function writePrivateFile(path, text) {
  checkTarget(path);
  let tmp;
  try {
    let fd;
    ({ tmp, fd } = createTemp(path));
    try {
      fchmodSync(fd, 0o600); // the umask may have taken bits away from 0600; it cannot add any
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    if (tmp) try { unlinkSync(tmp); } catch { /* already gone */ }
    throw new Exit(`cannot write ${q(path)}: ${fsReason(e)}.`);
  }
  try { // make the rename itself durable
    const dir = openSync(dirname(path), 'r');
    try { fsyncSync(dir); } finally { closeSync(dir); }
  } catch { /* some systems cannot sync a folder */ }
}

// ------------------------------------------------------------------------------------------------
// The credentials file and its lock
// ------------------------------------------------------------------------------------------------

const nowS = () => Math.floor(Date.now() / 1000);
/** Printable ASCII only: a token is printed as one line and sent in a header. */
const TOKEN_TEXT = /^[\x21-\x7e]+$/;

function notLoggedIn(path, values) {
  const file = values.file ? ` --file ${q(path)}` : '';
  return new Exit(`not logged in (no saved login in ${q(path)}): run \`coze-auth login --client-id ID${file}\`.`);
}

/** Reads the saved login; null when there is none. A damaged file is an Exit. */
function readCredentials(path, values) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw new Exit(`cannot read ${q(path)}: ${fsReason(e)}.`);
  }
  let c;
  try { c = JSON.parse(text); } catch { c = null; }
  const ok = c && typeof c === 'object' && c.version === CREDENTIALS_VERSION &&
    typeof c.client_id === 'string' && c.client_id !== '' &&
    typeof c.base_url === 'string' && c.base_url !== '' &&
    typeof c.access_token === 'string' && TOKEN_TEXT.test(c.access_token) &&
    Number.isFinite(c.expires_at) &&
    (c.refresh_token === undefined || (typeof c.refresh_token === 'string' && c.refresh_token !== ''));
  if (!ok) {
    const file = values.file ? ` --file ${q(path)}` : '';
    throw new Exit(`the saved login in ${q(path)} is damaged: run \`coze-auth login --client-id ID${file}\`.`);
  }
  return c;
}

/** The credentials to save for `token` (an OAuthToken) of this app. */
function credentialsOf(token, app, previous) {
  if (typeof token?.access_token !== 'string' || !TOKEN_TEXT.test(token.access_token) || !Number.isFinite(token.expires_in)) {
    throw new Exit('Coze answered a token that cannot be used (its text or expiry is malformed).');
  }
  const c = {
    version: CREDENTIALS_VERSION,
    client_id: app.clientId,
    base_url: app.baseURL,
    ...(app.workspaceId ? { workspace_id: app.workspaceId } : {}),
    access_token: token.access_token,
    expires_at: token.expires_in, // Coze's expires_in is absolute Unix seconds
    token_type: token.token_type ?? 'Bearer',
    saved_at: nowS(),
  };
  const refresh = token.refresh_token || previous?.refresh_token; // kept when Coze does not rotate it
  if (refresh) c.refresh_token = refresh;
  return c;
}

const saveCredentials = (path, c) => writePrivateFile(path, JSON.stringify(c, null, 2) + '\n');
const fresh = (c) => c.expires_at - nowS() > REFRESH_MARGIN_S;

function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false; // our pid: a dead earlier holder's
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM'; // exists, but another user's
  }
}

/** What holds `lockPath` now: {ino, text, stale}, or null when nothing does. */
function inspectLock(lockPath) {
  let st, text;
  try {
    st = lstatSync(lockPath);
    text = readFileSync(lockPath, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw new Exit(`cannot read the lock ${q(lockPath)}: ${fsReason(e)}.`);
  }
  let info = {};
  try { info = JSON.parse(text) ?? {}; } catch { /* being written, or damaged: judged by its age */ }
  const age = Date.now() - (Number.isFinite(info.time) ? info.time : st.mtimeMs);
  const dead = info.host === hostname() && Number.isInteger(info.pid) && !isAlive(info.pid);
  return { ino: st.ino, text, stale: dead || Math.abs(age) > LOCK_STALE_MS };
}

/**
 * Removes a stale lock: renames it aside (only one process can), then checks that what it moved
 * is the lock it judged stale; if another process replaced it meanwhile, that lock is put back.
 */
function takeOver(lockPath, stale) {
  const aside = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch (e) {
    if (e.code === 'ENOENT') return;
    throw new Exit(`cannot take over the lock ${q(lockPath)}: ${fsReason(e)}.`);
  }
  let same = false;
  try { same = lstatSync(aside).ino === stale.ino && readFileSync(aside, 'utf8') === stale.text; } catch { /* gone */ }
  if (!same) try { linkSync(aside, lockPath); } catch { /* a newer lock is there: it wins */ }
  try { unlinkSync(aside); } catch { /* gone */ }
}

/**
 * Takes the lock beside the credentials file (`<file>.lock`, created exclusively, holding our pid,
 * host and time), waiting while a live process holds it. Returns release().
 */
async function lock(path, signal) {
  const lockPath = path + '.lock';
  const id = randomBytes(8).toString('hex');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    let fd;
    try {
      fd = openSync(lockPath, CREATE_NEW, 0o600);
    } catch (e) {
      if (e.code !== 'EEXIST') throw new Exit(`cannot create the lock ${q(lockPath)}: ${fsReason(e)}.`);
    }
    if (fd !== undefined) {
      try { writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now(), id }) + '\n'); } finally { closeSync(fd); }
      return () => {
        try { if (JSON.parse(readFileSync(lockPath, 'utf8')).id === id) unlinkSync(lockPath); } catch { /* taken over or gone */ }
      };
    }
    const held = inspectLock(lockPath);
    if (held?.stale) {
      takeOver(lockPath, held);
      continue;
    }
    if (Date.now() > deadline) throw new Exit(`another coze-auth process has held ${q(lockPath)} for too long; try again.`);
    try {
      await sleep(25 + Math.random() * 50, undefined, { signal });
    } catch {
      throw cancelled();
    }
  }
}

/** Runs `fn` holding the lock of the credentials file. */
async function withLock(path, signal, fn) {
  const release = await lock(path, signal);
  try {
    return await fn();
  } finally {
    release();
  }
}

/** An AbortSignal fired by Ctrl-C or SIGTERM. */
function interruptSignal() {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  return controller.signal;
}

// ------------------------------------------------------------------------------------------------
// login
// ------------------------------------------------------------------------------------------------

async function qr(url) {
  try {
    const { renderUnicodeCompact } = await import('uqr');
    return renderUnicodeCompact(url, { border: 1 });
  } catch {
    return undefined; // the QR code is a convenience: without uqr, the URL is enough
  }
}

const mmss = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

/**
 * Refuses a device code whose printed fields could rewrite the terminal (control characters) or
 * are not web pages. The values are not echoed.
 */
function checkDeviceCode(dc, baseURL) {
  for (const name of ['user_code', 'verification_uri', 'verification_url']) {
    const value = dc[name];
    if (typeof value !== 'string' || CONTROL.test(value)) {
      throw new Exit(`refusing the device code from ${q(baseURL)}: its ${name} contains control characters.`);
    }
  }
  for (const name of ['verification_uri', 'verification_url']) {
    let ok = false;
    try { ok = ['https:', 'http:'].includes(new URL(dc[name]).protocol); } catch { ok = false; }
    if (!ok) throw new Exit(`refusing the device code from ${q(baseURL)}: its ${name} is not an http(s) URL.`);
  }
}

async function deviceLogin(app, values, baseURL, signal) {
  const dc = await app.getDeviceCode({ workspaceId: values['workspace-id'], signal });
  checkDeviceCode(dc, baseURL);
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
    const left = Math.max(0, dc.expires_in - nowS());
    process.stderr.write(`\r\x1b[K  ${status}… code expires in ${mmss(left)}`);
  };
  const ticker = tty ? setInterval(show, 1000) : undefined;
  if (tty) show();
  try {
    const token = await app.getAccessToken({
      deviceCode: dc.device_code,
      poll: true,
      signal,
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

async function login(values) {
  const baseURL = values['base-url'] ?? (values.region === 'com' ? COZE_COM_BASE_URL : COZE_CN_BASE_URL);
  const path = credentialsPath(values);
  const out = values.out === undefined ? undefined : resolve(values.out);
  if (out === path) throw usage('--out and the credentials file (--file) must be different files.');

  // Before the user is asked to authorize: every file this login writes can be written.
  if (out) checkWritable(out);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new Exit(`cannot create the folder of ${q(path)}: ${fsReason(e)}.`);
  }
  checkWritable(path);

  const signal = interruptSignal();
  const app = new DeviceOAuthApp({ clientId: values['client-id'], baseURL });
  let token;
  try {
    token = await deviceLogin(app, values, baseURL, signal);
  } catch (e) {
    if (e instanceof Exit) throw e;
    if (e?.code === 'aborted') throw new Exit('login cancelled.', 130);
    throw new Exit(clean(e?.message ?? e));
  }

  // The saved login first: if writing --out fails now, `coze-auth token` still has the token.
  let failed = false;
  try {
    const c = credentialsOf(token, { clientId: values['client-id'], baseURL, workspaceId: values['workspace-id'] });
    await withLock(path, undefined, () => saveCredentials(path, c));
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    err(`coze-auth: the login was not saved: ${e.message}`);
    failed = true;
  }
  const json = JSON.stringify(token, null, 2) + '\n';
  if (out) {
    try {
      writePrivateFile(out, json);
    } catch (e) {
      if (failed || !(e instanceof Exit)) throw e;
      throw new Exit(`${e.message} The login is saved in ${q(path)}: \`coze-auth token\` prints the access token.`);
    }
    err(`  Logged in. The token is in ${q(out)} (mode 0600).`);
  } else {
    err('  Logged in.');
    process.stdout.write(json);
  }
  if (!failed) err(`  Saved the login in ${q(path)}: \`coze-auth token\` prints a fresh access token.`);
  return failed ? 1 : 0;
}

// ------------------------------------------------------------------------------------------------
// token, status, logout
// ------------------------------------------------------------------------------------------------

/** The cause of a network failure, e.g. ECONNREFUSED, when one is known. */
function networkCause(e) {
  for (let c = e?.cause, depth = 0; c && depth < 4; c = c.cause, depth++) {
    if (typeof c.code === 'string' && /^[A-Z_]+$/.test(c.code)) return c.code;
  }
  return undefined;
}

/** Trades the saved refresh token for a new token and saves it (the lock is held). */
async function refresh(c, path, values, signal) {
  const app = new DeviceOAuthApp({ clientId: c.client_id, baseURL: c.base_url, timeoutMs: REFRESH_TIMEOUT_MS });
  let token;
  try {
    token = await app.refreshAccessToken(c.refresh_token, { signal });
  } catch (e) {
    if (e?.code === 'aborted') throw cancelled();
    const where = q(c.base_url);
    if (e?.code === 'oauth_error' && !(e.status >= 500)) {
      // A refresh token works once: if another process refreshed since we read the file, its token is good.
      const now = readCredentials(path, values);
      if (now && now.refresh_token !== c.refresh_token && fresh(now)) return now;
      throw new Exit(`Coze refused the saved login (${clean(e.errorCode ?? 'rejected')}): run \`coze-auth login --client-id ${q(c.client_id)}${values.file ? ` --file ${q(path)}` : ''}\`.`);
    }
    const kept = 'The saved login is kept: try again.';
    if (e?.code === 'network_error') {
      const cause = networkCause(e);
      throw new Exit(`could not reach Coze at ${where}${cause ? ` (${cause})` : ''} to refresh the token. ${kept}`);
    }
    if (e?.code === 'timeout') throw new Exit(`Coze at ${where} did not answer in time to refresh the token. ${kept}`);
    throw new Exit(`could not refresh the token: ${clean(e?.message ?? e)} ${kept}`);
  } finally {
    app.free();
  }
  const next = credentialsOf(token, { clientId: c.client_id, baseURL: c.base_url, workspaceId: c.workspace_id }, c);
  try {
    saveCredentials(path, next); // before anything is printed: the old refresh token no longer works
  } catch (e) {
    throw new Exit(`the token was refreshed but could not be saved (${e.message}) Run \`coze-auth login\` again.`);
  }
  return next;
}

async function token(values) {
  const path = credentialsPath(values);
  let c = readCredentials(path, values);
  if (!c) throw notLoggedIn(path, values);
  if (!fresh(c)) {
    if (!c.refresh_token) throw new Exit(`the saved token has expired and there is no refresh token: run \`coze-auth login --client-id ${q(c.client_id)}\`.`);
    // The refreshed login must be savable: Coze rotates the refresh token, so an unsaved refresh loses the login.
    checkWritable(path);
    const signal = interruptSignal();
    c = await withLock(path, signal, async () => {
      const now = readCredentials(path, values); // another process may have refreshed (or logged out) meanwhile
      if (!now) throw notLoggedIn(path, values);
      return fresh(now) ? now : refresh(now, path, values, signal);
    });
  }
  process.stdout.write(c.access_token + '\n');
  return 0;
}

/** "14 min 5 s", "2 h", "3 d 4 h": the largest unit and the next one, if not zero. */
function duration(seconds) {
  let left = Math.max(0, Math.round(seconds));
  const parts = [];
  for (const [name, size] of [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]]) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n > 0 || parts.length > 0) parts.push([n, name]);
  }
  const shown = parts.slice(0, 2).filter(([n]) => n > 0);
  return shown.length ? shown.map(([n, name]) => `${n} ${name}`).join(' ') : '0 s';
}

const iso = (s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

function status(values) {
  const path = credentialsPath(values);
  const c = readCredentials(path, values);
  if (!c) throw notLoggedIn(path, values);
  const region = c.base_url === COZE_CN_BASE_URL ? ' (coze.cn)' : c.base_url === COZE_COM_BASE_URL ? ' (coze.com)' : '';
  const left = c.expires_at - nowS();
  const expiry = left > 0
    ? `${iso(c.expires_at)} (in ${duration(left)})`
    : `${iso(c.expires_at)} (${duration(-left)} ago; \`coze-auth token\` refreshes it)`;
  const lines = [
    `Logged in to Coze (${q(path)})`,
    `  app (client id):  ${clean(c.client_id)}`,
    `  base URL:         ${clean(c.base_url)}${region}`,
    ...(typeof c.workspace_id === 'string' ? [`  workspace:        ${clean(c.workspace_id)}`] : []),
    `  token expires:    ${expiry}`,
    `  refresh token:    ${c.refresh_token ? 'saved' : 'none (log in again when the token expires)'}`,
  ];
  if (Number.isFinite(c.saved_at)) lines.push(`  saved:            ${iso(c.saved_at)}`);
  try {
    const mode = lstatSync(path).mode & 0o777;
    if (mode & 0o077) lines.push(`  warning: other users may read this file (mode 0${mode.toString(8)}); \`chmod 600\` it.`);
  } catch { /* just read */ }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

async function logout(values) {
  const path = credentialsPath(values);
  let exists = true;
  try { lstatSync(path); } catch (e) {
    if (e.code !== 'ENOENT') throw new Exit(`cannot remove ${q(path)}: ${fsReason(e)}.`);
    exists = false;
  }
  if (exists) {
    // Under the lock, so that a `coze-auth token` refreshing right now does not save the login again.
    exists = await withLock(path, interruptSignal(), () => {
      try {
        unlinkSync(path);
        return true;
      } catch (e) {
        if (e.code === 'ENOENT') return false;
        throw new Exit(`cannot remove ${q(path)}: ${fsReason(e)}.`);
      }
    });
  }
  err(exists
    ? `  Logged out: removed ${q(path)}. (The token is not revoked at Coze: it works until it expires.)`
    : `  Not logged in: there is no saved login in ${q(path)}.`);
  return 0;
}

// ------------------------------------------------------------------------------------------------

async function main() {
  let code;
  try {
    const { command, values } = parse(process.argv.slice(2));
    if (command === 'help') {
      process.stdout.write(USAGE + '\n');
      code = 0;
    } else {
      code = await { login, token, status, logout }[command](values);
    }
  } catch (e) {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (e instanceof Exit) {
      // Our own text, with outside values already cleaned; line breaks only in usage errors.
      err(`coze-auth: ${e.message.split('\n').map((line) => line.replace(CONTROLS, '')).join('\n')}`);
      code = e.exitCode;
    } else {
      err(`coze-auth: ${clean(e?.message ?? e)}`);
      code = 1;
    }
  }
  finish(code);
}

main();
