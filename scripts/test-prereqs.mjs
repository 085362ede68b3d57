// What the tests need on this machine, installed when possible, named exactly when not:
// Debian's Chromium (or CHROME_PATH) for the end-to-end tests, sipp (Debian "sip-tester") for SIP tests,
// PostgreSQL's server binaries (Debian "postgresql", or PG_BIN) for the office store's tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';
const missing = [];
if (!existsSync(chromePath)) {
  if (process.env.CHROME_PATH) {
    console.error(`CHROME_PATH is set to ${chromePath}, but no file is there.`);
    process.exit(1);
  }
  missing.push('chromium');
}
const hasSipp = spawnSync('sh', ['-c', 'command -v sipp'], { stdio: 'ignore' }).status === 0;
if (!hasSipp) missing.push('sip-tester');
const pgRoot = '/usr/lib/postgresql';
const hasPostgres = process.env.PG_BIN
  ? existsSync(join(process.env.PG_BIN, 'initdb'))
  : existsSync(pgRoot) &&
    readdirSync(pgRoot).some((version) => existsSync(join(pgRoot, version, 'bin', 'initdb')));
if (!hasPostgres) {
  if (process.env.PG_BIN) {
    console.error(`PG_BIN is set to ${process.env.PG_BIN}, but it holds no initdb.`);
    process.exit(1);
  }
  missing.push('postgresql');
}

if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    console.error(
      [
        `The tests need these Debian packages: ${missing.join(' ')}.`,
        `Install them with: sudo apt-get install -y ${missing.join(' ')}`,
        'Or point CHROME_PATH at a Chromium or Chrome binary (sipp comes from the sip-tester package),',
        "and PG_BIN at a folder holding PostgreSQL's initdb and pg_ctl.",
      ].join('\n'),
    );
    process.exit(1);
  }
  console.log(
    `Installing ${missing.join(' ')} with apt-get (needed by the end-to-end, SIP and office store tests)...`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
}
