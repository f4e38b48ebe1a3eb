/**
 * The optional second MQTT connection, to the home's own broker (usually Home Assistant's
 * Mosquitto add-on), for Home Assistant. Off while HELEN_HA_MQTT_URL is unset.
 */
import { MQTT_URL_SCHEMES, defineSettings, setting, type ConfigOf, type MqttClientSettings } from '@helen/runtime';

/** A topic prefix without wildcards, empty levels or a trailing slash (Home Assistant's `discovery_prefix`). */
function discoveryPrefix(raw: string): string {
  if (/[#+\u0000]/.test(raw) || raw.startsWith('$') || raw.split('/').some((level) => level === '')) {
    throw new Error(`must be a topic without wildcards or empty levels, e.g. homeassistant (got "${raw}")`);
  }
  return raw;
}

export const DEFAULT_DISCOVERY_PREFIX = 'homeassistant';

export const homeAssistantSettings = defineSettings({
  url: setting.optionalUrl('HELEN_HA_MQTT_URL', 'Home Assistant: the home broker\'s URL (MQTT 5 when it offers it; unset = off)', MQTT_URL_SCHEMES),
  username: setting.optionalString('HELEN_HA_MQTT_USERNAME', 'Home Assistant: username on the home broker (optional)'),
  password: setting.secret('HELEN_HA_MQTT_PASSWORD', 'Home Assistant: password on the home broker (optional)'),
  caFile: setting.optionalFile('HELEN_HA_MQTT_CA_FILE', 'Home Assistant: PEM CA bundle of the home broker\'s certificate (mqtts://; default: the system CAs)'),
  discoveryPrefix: setting.custom('HELEN_HA_DISCOVERY_PREFIX', 'Home Assistant: MQTT discovery prefix (as set in its MQTT integration)',
    discoveryPrefix, DEFAULT_DISCOVERY_PREFIX, DEFAULT_DISCOVERY_PREFIX),
});

export type HomeAssistantSettings = ConfigOf<typeof homeAssistantSettings.shape>;

/** The runtime's client settings for the home broker (no client certificate: the add-on does not ask for one). */
export function homeBrokerClientSettings(s: HomeAssistantSettings & { url: string }): MqttClientSettings {
  return { url: s.url, username: s.username, password: s.password, caFile: s.caFile, certFile: undefined, keyFile: undefined, rejectUnauthorized: true };
}
