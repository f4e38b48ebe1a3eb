/**
 * The alarm list (alarms.json). The display does the ringing; the backend only keeps the list
 * so it survives a reboot and every screen shows the same one. Changes are applied one after
 * another and saved before they are answered, so two quick POSTs cannot lose one.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { badRequest, DisplayHttpError, notFound } from './errors';
import { MAX_ALARMS, validateAlarmPatch, validateAlarms, validateNewAlarm, type Alarm } from './schemas';
import { JsonFile } from './store';

export class AlarmBook {
  private readonly file: JsonFile<Alarm[]>;
  private alarms: Alarm[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(dir: string, log: Logger) {
    this.file = new JsonFile({ dir, name: 'alarms.json', log, defaults: () => [], validate: validateAlarms });
  }

  get list(): Alarm[] {
    return structuredClone(this.alarms);
  }

  async load(): Promise<Alarm[]> {
    this.alarms = await this.file.load();
    return this.list;
  }

  add(body: unknown): Promise<Alarm> {
    return this.change((alarms) => {
      const checked = validateNewAlarm(body);
      if (!checked.ok) throw badRequest(checked.error);
      if (alarms.length >= MAX_ALARMS) throw new DisplayHttpError(409, `at most ${MAX_ALARMS} alarms; delete one first`);
      const alarm: Alarm = { id: this.newId(alarms), time: checked.value.time, enabled: checked.value.enabled ?? true, label: checked.value.label ?? '' };
      return { next: [...alarms, alarm], result: alarm };
    });
  }

  update(id: string, body: unknown): Promise<Alarm> {
    return this.change((alarms) => {
      const checked = validateAlarmPatch(body);
      if (!checked.ok) throw badRequest(checked.error);
      const old = alarms.find((a) => a.id === id);
      if (!old) throw notFound(`no alarm with id "${id}"`);
      const alarm: Alarm = { ...old, ...checked.value };
      return { next: alarms.map((a) => (a.id === id ? alarm : a)), result: alarm };
    });
  }

  remove(id: string): Promise<void> {
    return this.change((alarms) => {
      if (!alarms.some((a) => a.id === id)) throw notFound(`no alarm with id "${id}"`);
      return { next: alarms.filter((a) => a.id !== id), result: undefined };
    });
  }

  /** Runs `edit` on the newest list once the earlier changes are saved; keeps the result only if it was saved. */
  private change<R>(edit: (alarms: Alarm[]) => { next: Alarm[]; result: R }): Promise<R> {
    const run = this.queue.then(async () => {
      const { next, result } = edit(this.list);
      await this.file.save(next);
      this.alarms = next;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private newId(alarms: readonly Alarm[]): string {
    for (;;) {
      const id = randomBytes(2).toString('hex');
      if (!alarms.some((a) => a.id === id)) return id;
    }
  }
}
