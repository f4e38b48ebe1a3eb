// @ts-check
/**
 * WMO weather interpretation codes (the `weather_code` Open-Meteo returns) → an icon name and an
 * i18n text key. Codes from the Open-Meteo docs' WMO table; unknown codes get a neutral cloud.
 */

/** @type {Readonly<Record<number, { icon: string, key: string }>>} */
export const WMO_CODES = Object.freeze({
  0: { icon: 'clear', key: 'wmo.clear' },
  1: { icon: 'partly', key: 'wmo.mainlyClear' },
  2: { icon: 'partly', key: 'wmo.partlyCloudy' },
  3: { icon: 'cloud', key: 'wmo.overcast' },
  45: { icon: 'fog', key: 'wmo.fog' },
  48: { icon: 'fog', key: 'wmo.rimeFog' },
  51: { icon: 'drizzle', key: 'wmo.drizzleLight' },
  53: { icon: 'drizzle', key: 'wmo.drizzle' },
  55: { icon: 'drizzle', key: 'wmo.drizzleDense' },
  56: { icon: 'drizzle', key: 'wmo.freezingDrizzle' },
  57: { icon: 'drizzle', key: 'wmo.freezingDrizzle' },
  61: { icon: 'rain', key: 'wmo.rainLight' },
  63: { icon: 'rain', key: 'wmo.rain' },
  65: { icon: 'rain', key: 'wmo.rainHeavy' },
  66: { icon: 'rain', key: 'wmo.freezingRain' },
  67: { icon: 'rain', key: 'wmo.freezingRain' },
  71: { icon: 'snow', key: 'wmo.snowLight' },
  73: { icon: 'snow', key: 'wmo.snow' },
  75: { icon: 'snow', key: 'wmo.snowHeavy' },
  77: { icon: 'snow', key: 'wmo.snowGrains' },
  80: { icon: 'rain', key: 'wmo.showersLight' },
  81: { icon: 'rain', key: 'wmo.showers' },
  82: { icon: 'rain', key: 'wmo.showersViolent' },
  85: { icon: 'snow', key: 'wmo.snowShowers' },
  86: { icon: 'snow', key: 'wmo.snowShowers' },
  95: { icon: 'storm', key: 'wmo.thunderstorm' },
  96: { icon: 'storm', key: 'wmo.thunderstormHail' },
  99: { icon: 'storm', key: 'wmo.thunderstormHail' },
});

/**
 * @param {number | null | undefined} code
 * @param {boolean} [isDay] night turns the clear/partly icons into moon ones
 * @returns {{ icon: string, key: string }}
 */
export function weatherInfo(code, isDay = true) {
  const entry = typeof code === 'number' ? WMO_CODES[code] : undefined;
  if (!entry) return { icon: 'cloud', key: 'wmo.unknown' };
  if (!isDay && (entry.icon === 'clear' || entry.icon === 'partly')) return { ...entry, icon: `${entry.icon}-night` };
  return entry;
}
