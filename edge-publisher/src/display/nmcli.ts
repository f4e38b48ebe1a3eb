/**
 * Wi-Fi through NetworkManager's `nmcli`, run with execFile (an argument array, never a
 * shell) in its terse output (`-t`: fields split by `:`, a `:` or `\` inside a field escaped
 * with `\`). The C locale keeps states such as "connected" untranslated on a Spanish Pi.
 * A password is only ever an argument of the child: nmcli's own error text is answered, never
 * the command line (execFile's error message would carry it).
 */
import { execFile } from 'node:child_process';
import type { EnvSource } from '@helen/runtime';
import { DisplayHttpError } from './errors';

export const NMCLI_TIMEOUT_MS = 20_000;

export type WifiStatus =
  | { available: true; device: string; state: string; ssid: string | null }
  | { available: false; error: string };

export interface WifiNetwork {
  ssid: string;
  signal: number;
  security: string;
  inUse: boolean;
}

/** One terse line into its fields (`\:` is a colon inside a field, `\\` a backslash). */
export function splitTerse(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '\\' && i + 1 < line.length) {
      field += line[++i] as string;
    } else if (c === ':') {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  fields.push(field);
  return fields;
}

const lines = (text: string): string[] => text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);

/** `DEVICE,TYPE,STATE,CONNECTION` lines: the first Wi-Fi device. */
export function parseDeviceStatus(text: string): WifiStatus {
  for (const line of lines(text)) {
    const [device = '', type = '', state = '', connection = ''] = splitTerse(line);
    if (type === 'wifi') return { available: true, device, state, ssid: connection === '' || connection === '--' ? null : connection };
  }
  return { available: false, error: 'no Wi-Fi device' };
}

/** `IN-USE,SSID,SIGNAL,SECURITY` lines: one entry per SSID (the strongest access point), strongest first; hidden networks left out. */
export function parseWifiList(text: string): WifiNetwork[] {
  const bySsid = new Map<string, WifiNetwork>();
  for (const line of lines(text)) {
    const [inUse = '', ssid = '', signal = '', security = ''] = splitTerse(line);
    if (ssid === '' || ssid === '--') continue;
    const net: WifiNetwork = { ssid, signal: Number(signal) || 0, security: security === '--' ? '' : security.trim(), inUse: inUse.trim() === '*' };
    const seen = bySsid.get(ssid);
    if (!seen) bySsid.set(ssid, net);
    else bySsid.set(ssid, { ...(net.signal > seen.signal ? net : seen), inUse: seen.inUse || net.inUse });
  }
  return [...bySsid.values()].sort((a, b) => b.signal - a.signal || a.ssid.localeCompare(b.ssid));
}

/** nmcli could not be run at all (not installed, not executable). */
export class NmcliMissing extends Error {}

export class Nmcli {
  constructor(private readonly command: string, private readonly env?: EnvSource) {}

  async status(): Promise<WifiStatus> {
    try {
      return parseDeviceStatus(await this.run(['-t', '-f', 'DEVICE,TYPE,STATE,CONNECTION', 'device', 'status']));
    } catch (err) {
      if (err instanceof NmcliMissing) return { available: false, error: err.message };
      throw err;
    }
  }

  async networks(): Promise<WifiNetwork[]> {
    return parseWifiList(await this.run(['-t', '-f', 'IN-USE,SSID,SIGNAL,SECURITY', 'device', 'wifi', 'list', '--rescan', 'auto']));
  }

  async connect(ssid: string, password?: string): Promise<void> {
    await this.run(['device', 'wifi', 'connect', ssid, ...(password === undefined ? [] : ['password', password])]);
  }

  /** stdout; throws NmcliMissing, or a 502 with nmcli's own words. */
  private run(args: string[]): Promise<string> {
    // The child gets this process's environment (PATH finds nmcli) in the C locale.
    const env = { ...(this.env ?? process.env), LC_ALL: 'C', LANG: 'C' };
    return new Promise((resolve, reject) => {
      execFile(this.command, args, { timeout: NMCLI_TIMEOUT_MS, env, maxBuffer: 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number | null };
        if (e.code === 'ENOENT' || e.code === 'EACCES') return reject(new NmcliMissing('nmcli not found'));
        if (e.killed) return reject(new DisplayHttpError(502, `nmcli did not answer within ${NMCLI_TIMEOUT_MS / 1000} s`));
        const said = (stderr.trim() || stdout.trim()).split('\n').slice(0, 3).join(' ');
        reject(new DisplayHttpError(502, said === '' ? `nmcli failed (exit code ${String(e.code)})` : said));
      });
    });
  }
}
