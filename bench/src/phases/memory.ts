/**
 * Resident memory the issue sets targets for: the broker with 100 connected devices, and the
 * edge service without its browser (synthetic landmark source, local fallback model loaded as
 * in production).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createTopics } from '@helen/schemas';
import { freePort, waitForHealth } from '@helen/runtime';
import { rssMb, spawnHelen } from '../procs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Connects `devices` MQTT clients the way Pis do (own client id, subscribed to its own
 * replies and gesture topic), waits for the broker to settle and returns its RSS in MB.
 */
export async function brokerRssWithDevices(brokerUrl: string, brokerPid: number, devices: number): Promise<number> {
  const topics = createTopics();
  const clients: MqttClient[] = [];
  try {
    for (let i = 0; i < devices; i += 10) {
      const batch = await Promise.all(Array.from({ length: Math.min(10, devices - i) }, async (_, k) => {
        const id = `bench-pi-${i + k}`;
        const client = await mqtt.connectAsync(brokerUrl, { clientId: id, reconnectPeriod: 0 });
        await client.subscribeAsync([topics.predictions(id), topics.modelMetadata()], { qos: 1 });
        return client;
      }));
      clients.push(...batch);
    }
    await sleep(3000);
    return rssMb(brokerPid);
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true)));
  }
}

/**
 * `helen edge` with the synthetic source looping signs at 30 fps against `brokerUrl`, its UI
 * backend and display on a free port; RSS after `seconds` of steady work.
 */
export async function edgeRss(brokerUrl: string, seconds: number): Promise<number> {
  const stateDir = await mkdtemp(join(tmpdir(), 'helen-bench-edge-'));
  const uiPort = await freePort();
  const edge = spawnHelen('edge', 'edge', {
    HELEN_MQTT_URL: brokerUrl, HELEN_DEVICE_ID: 'bench-edge', HELEN_EDGE_SOURCE: 'synthetic', HELEN_EDGE_SYNTHETIC_LOOP: 'true',
    HELEN_EDGE_UI_HOST: '127.0.0.1', HELEN_EDGE_UI_PORT: String(uiPort), HELEN_DISPLAY_STATE_DIR: stateDir,
    HELEN_BACKEND_GESTURE_URL: 'off',
  });
  try {
    const died = new Promise<boolean>((resolve) => edge.child.once('exit', () => resolve(false)));
    if (!(await Promise.race([waitForHealth(`http://127.0.0.1:${uiPort}/health`, 60_000, () => false), died]))) {
      throw new Error(`the edge service did not start:\n${edge.output.join('').slice(-2000)}`);
    }
    await sleep(seconds * 1000);
    return rssMb(edge.pid);
  } finally {
    await edge.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}
