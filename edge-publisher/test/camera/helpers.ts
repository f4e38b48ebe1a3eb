import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';
import { sharedPath } from '@helen/runtime/testing';
import { chromiumArgs, isLoopbackHost } from '../../src/camera/chromium';

export const CHROMIUM = '/usr/bin/chromium';
export const MODEL_PATH = sharedPath('models', 'hand_landmarker.task');
export const FIXTURES = sharedPath('fixtures', 'hands');
export const CLIP = join(FIXTURES, 'handpose3d_cam0_test.mp4');

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why the Chromium tests cannot run here (warned visibly), or null. */
export function browserSkipReason(): string | null {
  if (!executable(CHROMIUM)) return `camera tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (!existsSync(MODEL_PATH)) return `camera tests skipped: no hand model at ${MODEL_PATH}`;
  return null;
}

export function clipSkipReason(): string | null {
  if (!existsSync(CLIP)) return `camera clip tests skipped: no clip at ${CLIP}`;
  if (!executable('/usr/bin/ffmpeg')) return 'camera clip tests skipped: no ffmpeg at /usr/bin/ffmpeg (apt-get install ffmpeg)';
  return null;
}

/**
 * The fixture clip as a 640x480 MJPEG fake camera (Chromium rejects the .mp4), converted
 * once into a cache under the temp dir, never into the repo. Written aside and renamed, so
 * parallel test files never read half a file.
 */
export async function clipAsMjpeg(): Promise<string> {
  return cachedMjpeg('handpose3d-640x480.mjpeg', ['-i', CLIP, '-vf', 'scale=640:480,fps=30']);
}

/** A still two-hand scene as a 5 s fake camera: google_sample_woman_hands.jpg, letterboxed. */
export async function twoHandsAsMjpeg(): Promise<string> {
  return cachedMjpeg('woman-hands-640x480.mjpeg', [
    '-loop', '1', '-i', join(FIXTURES, 'google_sample_woman_hands.jpg'), '-t', '5', '-vf', 'scale=-2:480,pad=640:480:(ow-iw)/2:0,fps=30',
  ]);
}

async function cachedMjpeg(name: string, input: string[]): Promise<string> {
  const dir = join(tmpdir(), 'helen-camera-test-cache');
  const out = join(dir, name);
  if ((await stat(out).catch(() => null))?.size) return out;
  await mkdir(dir, { recursive: true });
  const part = `${out}.${process.pid}.part`;
  await promisify(execFile)('/usr/bin/ffmpeg', ['-loglevel', 'error', '-y', ...input, '-q:v', '4', '-f', 'mjpeg', part]);
  await rename(part, out);
  return out;
}

/** A headless Chromium like the CameraSource's, every non-loopback request blocked. */
export async function launchTestBrowser(profileDir: string, fakeVideoPath?: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: chromiumArgs({ mode: 'headless', fakeVideoPath }),
  });
  await context.route('**/*', (route) =>
    isLoopbackHost(new URL(route.request().url()).hostname) ? route.continue() : route.abort('blockedbyclient'));
  return context;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True while `pid` exists and is not a zombie. */
export async function processAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && !/\) [ZX] /.test(stat);
}

/** The --user-data-dir of a Chromium process. */
export async function profileOf(pid: number): Promise<string | null> {
  const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return /--user-data-dir=([^\0]+)/.exec(cmd)?.[1] ?? null;
}
