/**
 * HELEN_ENV=production on the facade: no tokens, plain HTTP beyond loopback and plain MQTT to
 * another machine each stop the start (one line each, naming the switch), and `helen api`
 * prints them and exits 1 before listening.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@helen/runtime';
import { REPO_ROOT } from '@helen/runtime/testing';
import { apiConfigFromEnv } from '../src/config';

const TOKEN = 'tok-production-0123456789';

function problems(env: Record<string, string>): string[] {
  try {
    apiConfigFromEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const NO_TOKENS = 'HELEN_ENV=production: the facade would answer anyone: neither HELEN_API_TOKENS nor HELEN_API_TOKENS_FILE is set; set HELEN_ALLOW_NO_TOKENS=true to allow it';
const PLAIN_HTTP = 'HELEN_ENV=production: HELEN_HTTP_HOST=0.0.0.0 serves plain HTTP (the facade has no TLS) beyond this machine; set HELEN_ALLOW_PLAIN_HTTP=true to allow it (e.g. behind a TLS proxy; or HELEN_HTTP_HOST=127.0.0.1 with the proxy on this machine)';
const PLAIN_MQTT = 'HELEN_ENV=production: HELEN_MQTT_URL=mqtt://broker.example:1883 is MQTT without TLS to another machine, so credentials and data cross the network readable; set HELEN_ALLOW_PLAIN_MQTT=true to allow it (or use mqtts:// or wss://)';

describe('the facade in production mode', () => {
  const remoteBroker = { HELEN_MQTT_URL: 'mqtt://u:p@broker.example:1883' };

  it('development (unset, what npm start runs) accepts the defaults', () => {
    expect(problems({})).toEqual([]);
    expect(problems(remoteBroker)).toEqual([]);
  });

  it('refuses no tokens, plain HTTP beyond loopback and plain MQTT to another machine', () => {
    expect(problems({ HELEN_ENV: 'production', ...remoteBroker })).toEqual([NO_TOKENS, PLAIN_HTTP, PLAIN_MQTT]);
  });

  it('accepts each with its switch, or with the secure setting instead', () => {
    const env = { HELEN_ENV: 'production', ...remoteBroker };
    expect(problems({ ...env, HELEN_ALLOW_NO_TOKENS: 'true' })).toEqual([PLAIN_HTTP, PLAIN_MQTT]);
    expect(problems({ ...env, HELEN_ALLOW_PLAIN_HTTP: 'true' })).toEqual([NO_TOKENS, PLAIN_MQTT]);
    expect(problems({ ...env, HELEN_ALLOW_PLAIN_MQTT: 'true' })).toEqual([NO_TOKENS, PLAIN_HTTP]);
    expect(problems({ ...env, HELEN_ALLOW_NO_TOKENS: 'true', HELEN_ALLOW_PLAIN_HTTP: 'true', HELEN_ALLOW_PLAIN_MQTT: 'true' })).toEqual([]);
    expect(problems({ HELEN_ENV: 'production', HELEN_API_TOKENS: TOKEN, HELEN_HTTP_HOST: '127.0.0.1', HELEN_MQTT_URL: 'mqtts://broker.example:8883' })).toEqual([]);
    // A broker on this machine over plain MQTT is fine: nothing crosses the network.
    expect(problems({ HELEN_ENV: 'production', HELEN_API_TOKENS: TOKEN, HELEN_HTTP_HOST: '127.0.0.1' })).toEqual([]);
  });

  it('`helen api` prints one line per finding and exits 1 without listening', () => {
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/helen.mjs'), 'api'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, HELEN_RUN_FROM: process.env.HELEN_RUN_FROM, HELEN_ENV: 'production', HELEN_HTTP_PORT: '0', ...remoteBroker },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`helen api: invalid configuration:\n  ${[NO_TOKENS, PLAIN_HTTP, PLAIN_MQTT].join('\n  ')}\n`);
    // The URL's password is not printed.
    expect(run.stderr).not.toContain('u:p@');
  });
});
