/**
 * JSON Schemas of what the display stores and what its routes accept, compiled once on the
 * project's shared ajv instance (@helen/schemas, allErrors). Validation messages name the
 * field: `time must be a 24 h time HH:MM (00:00-23:59)`, `unknown field "colour"`.
 */
import { compileValidator, type SchemaError, type Validation } from '@helen/schemas';
import { SENSITIVITIES } from './sensitivity';

export const PAGE_IDS = ['loading', 'home', 'clock', 'weather', 'devices', 'settings', 'tutorial'] as const;
export type PageId = (typeof PAGE_IDS)[number];

export const MAX_ALARMS = 20;
export const TIME_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
const ALARM_ID_PATTERN = '^[0-9a-f]{4,16}$';

/** Friendlier words for patterns than ajv's `must match pattern "..."`. */
const PATTERN_HINTS: Record<string, string> = {
  [TIME_PATTERN]: 'must be a 24 h time HH:MM (00:00-23:59)',
  [ALARM_ID_PATTERN]: 'must be an alarm id',
};

const location = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 80 },
    latitude: { type: 'number', minimum: -90, maximum: 90 },
    longitude: { type: 'number', minimum: -180, maximum: 180 },
  },
  required: ['name', 'latitude', 'longitude'],
  additionalProperties: false,
} as const;

const settingsProperties = {
  language: { enum: ['es', 'en'] },
  handedness: { enum: ['right', 'left'] },
  sensitivity: { enum: [...SENSITIVITIES] },
  location,
  preview: { type: 'boolean' },
  clock24h: { type: 'boolean' },
} as const;

/** A whole settings object (settings.json). */
export const settingsSchema = {
  type: 'object', properties: settingsProperties, required: Object.keys(settingsProperties), additionalProperties: false,
} as const;

/** PUT /api/settings: any subset, merged into the current settings. */
export const settingsPatchSchema = { type: 'object', properties: settingsProperties, additionalProperties: false } as const;

const label = { type: 'string', maxLength: 40 } as const;
const time = { type: 'string', pattern: TIME_PATTERN } as const;

const alarm = {
  type: 'object',
  properties: { id: { type: 'string', pattern: ALARM_ID_PATTERN }, time, enabled: { type: 'boolean' }, label },
  required: ['id', 'time', 'enabled', 'label'],
  additionalProperties: false,
} as const;

/** alarms.json. */
export const alarmsSchema = { type: 'array', items: alarm, maxItems: MAX_ALARMS } as const;

export const newAlarmSchema = {
  type: 'object', properties: { time, label, enabled: { type: 'boolean' } }, required: ['time'], additionalProperties: false,
} as const;

export const alarmPatchSchema = {
  type: 'object', properties: { time, label, enabled: { type: 'boolean' } }, minProperties: 1, additionalProperties: false,
} as const;

export const modeSchema = {
  type: 'object', properties: { page: { enum: [...PAGE_IDS] } }, required: ['page'], additionalProperties: false,
} as const;

export const modeReportSchema = {
  type: 'object', properties: { page: { enum: [...PAGE_IDS] }, armed: { type: 'boolean' } }, required: ['page'], additionalProperties: false,
} as const;

export const connectSchema = {
  type: 'object',
  properties: {
    // An SSID is 1-32 bytes; control characters would only confuse nmcli.
    ssid: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[^\\u0000-\\u001f]+$' },
    password: { type: 'string', minLength: 1, maxLength: 128 },
  },
  required: ['ssid'],
  additionalProperties: false,
} as const;

const numbers = (type: string) => ({ type: 'array', items: { type: [type, 'null'] } }) as const;

/** The part of Open-Meteo's /v1/forecast answer the display reads (values may be null at the forecast's edge). */
export const openMeteoSchema = {
  type: 'object',
  properties: {
    current: {
      type: 'object',
      properties: { time: { type: 'string' }, temperature_2m: { type: 'number' }, weather_code: { type: 'integer' }, wind_speed_10m: { type: 'number' }, is_day: { type: 'integer' } },
      required: ['temperature_2m', 'weather_code', 'wind_speed_10m', 'is_day'],
    },
    daily: {
      type: 'object',
      properties: {
        time: { type: 'array', items: { type: 'string' } }, weather_code: numbers('integer'), temperature_2m_max: numbers('number'),
        temperature_2m_min: numbers('number'), precipitation_probability_max: numbers('number'),
      },
      required: ['time', 'weather_code', 'temperature_2m_max', 'temperature_2m_min', 'precipitation_probability_max'],
    },
  },
  required: ['current', 'daily'],
} as const;

export interface OpenMeteoForecast {
  current: { time?: string; temperature_2m: number; weather_code: number; wind_speed_10m: number; is_day: number };
  daily: {
    time: string[]; weather_code: (number | null)[]; temperature_2m_max: (number | null)[];
    temperature_2m_min: (number | null)[]; precipitation_probability_max: (number | null)[];
  };
}

export type { Validation };

function fieldOf(e: SchemaError): string {
  return e.instancePath.slice(1).replace(/\//g, '.');
}

/** One line per problem, each naming its field. */
export function describeErrors(errors: readonly SchemaError[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid body';
  const lines = errors.map((e) => {
    const field = fieldOf(e);
    const where = field === '' ? 'body' : field;
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties': return `unknown field "${[field, String(params.additionalProperty)].filter(Boolean).join('.')}"`;
      case 'required': return `${[field, String(params.missingProperty)].filter(Boolean).join('.')} is required`;
      case 'enum': return `${where} must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
      case 'pattern': return `${where} ${PATTERN_HINTS[String(params.pattern)] ?? e.message ?? 'is invalid'}`;
      case 'minProperties': return `${where} must name at least one field`;
      default: return `${where} ${e.message ?? 'is invalid'}`;
    }
  });
  return [...new Set(lines)].join('; ');
}

const compile = <T>(schema: object): ((data: unknown) => Validation<T>) => compileValidator<T>(schema, describeErrors);

export type Language = (typeof settingsProperties.language.enum)[number];
export type Handedness = (typeof settingsProperties.handedness.enum)[number];

export interface Location { name: string; latitude: number; longitude: number }

export interface UserSettings {
  language: Language;
  handedness: Handedness;
  sensitivity: (typeof SENSITIVITIES)[number];
  location: Location;
  preview: boolean;
  clock24h: boolean;
}

export interface Alarm { id: string; time: string; enabled: boolean; label: string }
export interface NewAlarm { time: string; label?: string; enabled?: boolean }
export type AlarmPatch = Partial<Omit<Alarm, 'id'>>;

export const validateSettings = compile<UserSettings>(settingsSchema);
export const validateSettingsPatch = compile<Partial<UserSettings>>(settingsPatchSchema);
export const validateAlarms = compile<Alarm[]>(alarmsSchema);
export const validateNewAlarm = compile<NewAlarm>(newAlarmSchema);
export const validateAlarmPatch = compile<AlarmPatch>(alarmPatchSchema);
export const validateMode = compile<{ page: PageId }>(modeSchema);
export const validateModeReport = compile<{ page: PageId; armed?: boolean }>(modeReportSchema);
export const validateOpenMeteo = compile<OpenMeteoForecast>(openMeteoSchema);
export const validateConnect = compile<{ ssid: string; password?: string }>(connectSchema);
