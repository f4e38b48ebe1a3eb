/**
 * One JSON file of display state (settings.json, alarms.json, weather-cache.json). A write
 * never leaves a half-written file behind: the text goes to a temporary file in the same
 * folder, is fsynced, then renamed over the old one (rename is atomic within a file system),
 * and the folder is fsynced so the rename itself survives a power cut - the Pi's usual way to
 * shut down. A file that does not parse or validate is moved aside as `<name>.corrupt`,
 * logged, and replaced by the defaults: a bad file never stops the edge.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Validation } from './schemas';

export interface JsonFileOptions<T> {
  dir: string;
  name: string;
  validate(data: unknown): Validation<T>;
  defaults(): T;
  log: Logger;
}

export class JsonFile<T> {
  readonly path: string;
  /** Writes run one after another, so the last one called is the one left on disk. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: JsonFileOptions<T>) {
    this.path = join(opts.dir, opts.name);
  }

  /** The stored value; the defaults when the file is missing or corrupt. */
  async load(): Promise<T> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.opts.defaults();
      this.opts.log.error({ file: this.path, err: (err as Error).message }, 'cannot read a display state file: using defaults');
      return this.opts.defaults();
    }
    let problem: string;
    try {
      const checked = this.opts.validate(JSON.parse(text) as unknown);
      if (checked.ok) return checked.value;
      problem = checked.error;
    } catch (err) {
      problem = (err as Error).message;
    }
    return this.replaceCorrupt(problem);
  }

  /** Writes `value` atomically (see the file comment). */
  save(value: T): Promise<void> {
    const run = this.queue.then(() => this.write(`${JSON.stringify(value, null, 2)}\n`));
    // A failed write must not block the ones after it; the caller still sees its own failure.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async replaceCorrupt(problem: string): Promise<T> {
    const aside = `${this.path}.corrupt`;
    this.opts.log.warn({ file: this.path, kept: aside, problem }, 'corrupt display state file: kept aside, using defaults');
    const value = this.opts.defaults();
    try {
      await rename(this.path, aside);
      await this.save(value);
    } catch (err) {
      this.opts.log.error({ file: this.path, err: (err as Error).message }, 'cannot replace the corrupt display state file');
    }
    return value;
  }

  private async write(text: string): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
    const tmp = join(this.opts.dir, `.${this.opts.name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const file = await open(tmp, 'w', 0o644);
      try {
        await file.writeFile(text, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await syncDir(this.opts.dir);
  }
}

/** fsync of the folder, so the rename is on disk too; some file systems refuse it, which is harmless. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // EISDIR/EINVAL on file systems without directory fsync.
  }
}
