/**
 * The display inside the whole edge (createEdge): registered on the UI server, /api/info from
 * the edge's real state, the saved sensitivity applied to the pipeline at start-up and a new
 * one applied at once, source frames reaching the landmark preview. No cloud: the edge starts
 * on the real local model (as edge boot does).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL_PATH } from '@helen/model-runtime';
import { freePort } from '@helen/runtime';
import type { LandmarkFrame } from '@helen/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { createEdge, type Edge } from '../../../src/app';
import { edgeConfigFromEnv } from '../../../src/config';
import { decisionPreset } from '../../../src/display/sensitivity';
import type { LandmarkSource } from '../../../src/sources/source';
import { openSse, silent, waitFor } from '../../helpers';
import { call } from './helpers';

/** A live source the test feeds by hand. */
function handSource(): LandmarkSource & { emit(frame: LandmarkFrame): void } {
  let sink: ((f: LandmarkFrame) => void) | undefined;
  return {
    kind: 'synthetic',
    start: async (onFrame) => { sink = onFrame; },
    stop: async () => { sink = undefined; },
    finished: new Promise(() => undefined),
    emit: (f) => sink?.(f),
  };
}

describe('display in the edge', () => {
  let edge: Edge | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await edge?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    edge = dir = undefined;
  });

  it('serves the display API with the edge state and drives the decision preset', async () => {
    dir = await mkdtemp(join(tmpdir(), 'helen-display-edge-'));
    await writeFile(join(dir, 'settings.json'), JSON.stringify({ sensitivity: 'strict' }));
    const config = edgeConfigFromEnv({
      HELEN_MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`, HELEN_EDGE_UI_PORT: '0', HELEN_EDGE_METADATA_TIMEOUT: '0.3',
      HELEN_EDGE_STATS_INTERVAL: '0', HELEN_LOG_LEVEL: 'silent', HELEN_MODEL_PATHS: DEFAULT_MODEL_PATH, HELEN_DEVICE_ID: 'pi-display',
      HELEN_DISPLAY_STATE_DIR: dir, HELEN_DECISION_PROB_ENTER: '0.9', HELEN_BACKEND_GESTURE_URL: 'off',
    });
    const source = handSource();
    edge = createEdge(config, { source, log: silent });
    await edge.start();
    const url = edge.ui?.url ?? '';

    // The saved choice reached the pipeline at start-up.
    expect(edge.pipeline?.engine.settings).toMatchObject({ ...config.decision, ...decisionPreset('strict') });

    const info = await call(`${url}/api/info`, 'GET');
    expect(info.body).toMatchObject({
      device: 'pi-display', mode: 'mqtt', broker: 'disconnected', fallbackActive: true, servedBy: 'edge',
      model: expect.stringMatching(/^helen-bigru@/), sensitivity: 'strict', node: process.version,
    });

    // A new choice is applied at once: back to the configured numbers plus the preset.
    await call(`${url}/api/settings`, 'PUT', { sensitivity: 'normal' });
    expect(edge.pipeline?.engine.settings).toMatchObject({ ...config.decision, ...decisionPreset('normal') });
    expect(edge.pipeline?.engine.settings.probEnter).toBe(decisionPreset('normal').probEnter ?? 0.9);

    // Source frames reach the corner preview.
    const preview = await openSse(`${url}/api/display/landmarks`);
    const hand = { handedness: 'Left' as const, score: 0.9, landmarks: Array.from({ length: 21 }, () => [0.5, 0.5, 0]) };
    await waitFor(() => {
      source.emit({ ts: Date.now(), hands: [hand] });
      return preview.messages.length > 0;
    }, 5000, 'a preview frame');
    expect(JSON.parse(preview.messages[0] as string)).toEqual({ hands: [{ handedness: 'Left', landmarks: hand.landmarks }] });
    preview.close();

    // The original UI routes are still there.
    expect((await call(`${url}/health`, 'GET')).body).toMatchObject({ status: 'ok', device: 'pi-display' });
  });

  it('is off with HELEN_DISPLAY=false', async () => {
    const config = edgeConfigFromEnv({
      HELEN_MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`, HELEN_EDGE_UI_PORT: '0', HELEN_EDGE_METADATA_TIMEOUT: '0.3',
      HELEN_EDGE_STATS_INTERVAL: '0', HELEN_LOG_LEVEL: 'silent', HELEN_MODEL_PATHS: DEFAULT_MODEL_PATH, HELEN_DISPLAY: 'false',
      HELEN_BACKEND_GESTURE_URL: 'off',
    });
    edge = createEdge(config, { source: handSource(), log: silent });
    await edge.start();
    expect(edge.display).toBeUndefined();
    expect((await fetch(`${edge.ui?.url ?? ''}/api/settings`)).status).toBe(404);
  });
});
