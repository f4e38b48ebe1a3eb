/**
 * The display's own settings (issue 13): where its state lives and how it reaches the
 * weather service, Home Assistant's REST API and NetworkManager. Part of edgeSettings as
 * `display`. What the user picks on the screen (language, sensitivity...) is not here: that
 * is user-settings.ts, kept in the state folder.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defineSettings, setting, type ConfigOf, type EnvSource } from '@helen/runtime';

export const DEFAULT_WEATHER_URL = 'https://api.open-meteo.com/v1/forecast';

export const displaySettings = defineSettings({
  enabled: setting.bool('HELEN_DISPLAY', 'serve the Helen display app at / (and /display/) with its API on the UI backend', true),
  stateDir: setting.optionalString('HELEN_DISPLAY_STATE_DIR',
    'display: folder of settings.json, alarms.json and weather-cache.json (default $XDG_STATE_HOME/helen, else ~/.local/state/helen)'),
  weather: {
    url: setting.url('HELEN_WEATHER_URL', 'display: Open-Meteo forecast endpoint', DEFAULT_WEATHER_URL, ['http', 'https']),
    ttlMs: setting.secondsAsMs('HELEN_WEATHER_TTL', 'display: seconds a weather answer is reused before asking again', 600, { min: 0 }),
    latitude: setting.number('HELEN_WEATHER_LATITUDE', 'display: latitude of the weather until one is set on the screen', 40.4168, { min: -90, max: 90 }),
    longitude: setting.number('HELEN_WEATHER_LONGITUDE', 'display: longitude of the weather until one is set on the screen', -3.7038, { min: -180, max: 180 }),
    place: setting.string('HELEN_WEATHER_PLACE', 'display: name of that place', 'Madrid'),
  },
  homeAssistant: {
    url: setting.optionalUrl('HELEN_HA_API_URL', 'display: Home Assistant base URL for its REST API, e.g. http://homeassistant.local:8123 (unset = no devices page)', ['http', 'https']),
    token: setting.secret('HELEN_HA_API_TOKEN', 'display: Home Assistant long-lived access token'),
  },
  nmcli: setting.string('HELEN_NMCLI', 'display: NetworkManager CLI for the Wi-Fi page (a path, or a name looked up on PATH)', 'nmcli'),
}, [
  { env: 'HELEN_HA_API_TOKEN', check: (c) => (c.homeAssistant.url !== undefined && c.homeAssistant.token === undefined ? 'required with HELEN_HA_API_URL' : undefined) },
]);

export type DisplayConfig = ConfigOf<typeof displaySettings.shape>;

/** The XDG base-directory rule for state: `$XDG_STATE_HOME/helen`, else `~/.local/state/helen`. */
export function defaultStateDir(env: EnvSource = {}): string {
  const xdg = env.XDG_STATE_HOME;
  // The spec allows only absolute XDG paths; a relative one is ignored.
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'helen');
  return join(env.HOME && env.HOME.startsWith('/') ? env.HOME : homedir(), '.local', 'state', 'helen');
}
