// Bad configuration stops Loket with exit code 1 and one line that says what to fix; nothing is written.
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = process.env.LOKET_BIN!;
const root = join(__dirname, '..', '..');

function run(env: Record<string, string>) {
  const result = spawnSync(bin, [], {
    env: { PATH: process.env.PATH!, LOKET_ADDR: '127.0.0.1:0', LOKET_LOG: 'off', ...env },
    cwd: root,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, lines: result.stderr.trim().split('\n').filter((l) => l.length > 0) };
}

test.describe('bad configuration', () => {
  test.beforeEach(() => {
    test.skip(test.info().project.name !== 'desktop', 'a process test needs no second viewport');
  });

  test('an unknown key in the municipality file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loket-cli-'));
    const file = join(dir, 'gemeente.toml');
    const text = readFileSync(join(root, 'server/municipalities/voorbeeld.toml'), 'utf8');
    writeFileSync(file, text.replace('[brand]', '[brand]\nkleur = "#000000"'));
    const data = join(dir, 'data');
    const { status, lines } = run({ LOKET_MUNICIPALITY_FILE: file, LOKET_DATA_DIR: data });
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('unknown field `kleur`');
    expect(lines[0]).toContain('gemeente.toml line');
    expect(existsSync(data)).toBe(false);
  });

  test('an unusable data dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loket-cli-'));
    writeFileSync(join(dir, 'file'), 'not a folder');
    const { status, lines } = run({ LOKET_DATA_DIR: join(dir, 'file', 'data') });
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^loket: LOKET_DATA_DIR=.* cannot be used/);
  });

  test('an unreachable PostgreSQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loket-cli-'));
    const { status, lines } = run({ LOKET_DATA_DIR: dir, LOKET_DATABASE_URL: 'postgres://loket:geheim@127.0.0.1:1/loket' });
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('cannot reach PostgreSQL at 127.0.0.1:1/loket');
    expect(lines[0]).not.toContain('geheim');
  });

  test('a malformed variable', async () => {
    const { status, lines } = run({ LOKET_ADDR: 'localhost' });
    expect(status).toBe(1);
    expect(lines).toEqual(['loket: LOKET_ADDR="localhost" is not a listen address. Use host:port, for example LOKET_ADDR=127.0.0.1:3000.']);
  });
});

test.describe('staff bootstrap', () => {
  test.beforeEach(() => {
    test.skip(test.info().project.name !== 'desktop', 'a process test needs no second viewport');
  });

  function staff(args: string[], dataDir: string) {
    return spawnSync(bin, ['staff', 'add', ...args], {
      env: { PATH: process.env.PATH!, LOKET_DATA_DIR: dataDir, LOKET_LOG: 'off' },
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
    });
  }

  test('`loket staff add` creates a staff member and prints an activation code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loket-cli-'));
    const result = staff(['--name', 'Bea Beheer', '--role', 'admin'], dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('with role admin');
    expect(result.stdout).toMatch(/Activation code: [0-9A-Z]{4}(-[0-9A-Z]{4}){4}\n/);
    expect(result.stdout).toContain('/activeren');
  });

  test('a wrong role is refused with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loket-cli-'));
    const result = staff(['--name', 'Bea Beheer', '--role', 'baas'], dir);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual(['loket: unknown role "baas". Use kcc, backoffice or admin.']);
    expect(existsSync(join(dir, 'loket.db'))).toBe(false);
  });
});

test.describe('api clients', () => {
  test.beforeEach(() => {
    test.skip(test.info().project.name !== 'desktop', 'a process test needs no second viewport');
  });

  function cli(args: string[], dataDir: string) {
    return spawnSync(bin, ['api-client', ...args], {
      env: { PATH: process.env.PATH!, LOKET_DATA_DIR: dataDir, LOKET_LOG: 'off' },
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
    });
  }

  test('`loket api-client list` shows ids and names but no token, and `revoke` ends access once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loket-cli-'));
    const added = cli(['add', '--name', 'Zaaksysteem', '--scopes', 'cases,contact-moments'], dir);
    expect(added.status, added.stderr).toBe(0);
    const id = added.stdout.match(/Id \(for [^)]*\): (\S+)/)![1];
    const token = added.stdout.match(/loket_[0-9a-z]+_[A-Za-z0-9_-]+/)![0];
    const listed = cli(['list'], dir);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`${id}\tZaaksysteem\tcases,contact-moments\t`);
    expect(listed.stdout).toContain('actief');
    expect(listed.stdout).not.toContain(token);
    // The secret is everything after `loket_<prefix>_`; it may itself hold (or start with) an underscore.
    const secret = token.split('_').slice(2).join('_');
    expect(secret.length).toBeGreaterThan(20);
    expect(listed.stdout).not.toContain(secret);
    const revoked = cli(['revoke', '--id', id], dir);
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(cli(['list'], dir).stdout).toContain('ingetrokken');
    const again = cli(['revoke', '--id', id], dir);
    expect(again.status).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
  });
});
