/**
 * What the user picks on the display (language, hand, sensitivity, place, preview, clock),
 * kept in settings.json. Changes arrive as partial objects, are merged and validated whole.
 */
import type { Logger } from 'pino';
import { badRequest } from './errors';
import { validateSettings, validateSettingsPatch, type Location, type UserSettings } from './schemas';
import { JsonFile } from './store';

export function defaultUserSettings(location: Location): UserSettings {
  return { language: 'es', handedness: 'right', sensitivity: 'normal', location: { ...location }, preview: false, clock24h: true };
}

export class UserSettingsStore {
  private readonly file: JsonFile<UserSettings>;
  private value: UserSettings;

  constructor(dir: string, private readonly defaultLocation: Location, log: Logger) {
    this.value = defaultUserSettings(defaultLocation);
    this.file = new JsonFile({
      dir, name: 'settings.json', log, defaults: () => defaultUserSettings(defaultLocation),
      // A file from an older version may lack newer fields: those take their defaults.
      validate: (data) => validateSettings(typeof data === 'object' && data !== null && !Array.isArray(data)
        ? { ...defaultUserSettings(defaultLocation), ...data } : data),
    });
  }

  get current(): UserSettings {
    return structuredClone(this.value);
  }

  async load(): Promise<UserSettings> {
    this.value = await this.file.load();
    return this.current;
  }

  /** Validates and merges a partial update, saves it; answers the new settings. Throws a 400 on a bad patch. */
  async update(patch: unknown): Promise<{ before: UserSettings; after: UserSettings }> {
    const checked = validateSettingsPatch(patch);
    if (!checked.ok) throw badRequest(checked.error);
    const before = this.current;
    const merged = validateSettings({ ...before, ...checked.value });
    if (!merged.ok) throw badRequest(merged.error);
    await this.file.save(merged.value);
    this.value = merged.value;
    return { before, after: this.current };
  }
}
