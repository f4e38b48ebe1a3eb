import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '@helen/runtime';
import { main } from '../src/main';

describe('helen edge (main)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  it('prints every setting for --help', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['--help'])).toBe(0);
    const text = out.mock.calls.map((c) => String(c[0])).join('');
    expect(text).toContain('helen edge record --label <name> --out <file>');
    for (const name of ['HELEN_DEVICE_ID', 'HELEN_EDGE_STRIDE', 'HELEN_DECISION_COOLDOWN', 'HELEN_CLOUD_TIMEOUT', 'HELEN_CAMERA_MODE']) expect(text).toContain(name);
  });

  it('refuses unknown subcommands and options, and record without --out or a class label', async () => {
    await expect(main(['bogus'])).rejects.toThrow(/unknown subcommand "bogus"/);
    await expect(main(['record', '--lable', 'x'])).rejects.toThrow(/unknown option "--lable"/);
    await expect(main(['record', '--label', 'Inicio'])).rejects.toThrow(/--out/);
    await expect(main(['record', '--out', 'recordings/x.jsonl', '--label'])).rejects.toThrow(/--label needs a value/);
    await expect(main(['record', '--label', '--out', 'recordings/x.jsonl'])).rejects.toThrow(/--label needs a value/);
    await expect(main(['run', '--frames', '3'])).rejects.toThrow(/run takes no arguments/);
    await expect(main(['record', 'extra', '--label', 'Inicio'])).rejects.toThrow(/unexpected argument "extra"/);
    process.env.HELEN_EDGE_SOURCE = 'synthetic';
    process.env.HELEN_LOG_LEVEL = 'silent';
    await expect(main(['record', '--label', 'Hola', '--out', 'recordings/x.jsonl'])).rejects.toThrow(/"Hola" is not one of the model's classes/);
  });

  it('refuses bad settings before doing anything', async () => {
    process.env.HELEN_EDGE_STRIDE = 'two';
    process.env.HELEN_DECISION_PROB_ENTER = '2';
    const err = await main(['run']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/HELEN_EDGE_STRIDE: must be a number/);
    expect((err as Error).message).toMatch(/HELEN_DECISION_PROB_ENTER: must be <= 1/);
  });
});
