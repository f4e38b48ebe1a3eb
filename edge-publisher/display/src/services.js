// @ts-check
/**
 * The display's backend-facing actions: Home Assistant devices, weather, settings, Wi-Fi and
 * info. They read and change the controller's state through `ctx`; each returns or awaits the
 * API call so a sign can be accepted or refused on the answer.
 */
import { api } from './api.js';
import { stateName, t } from './i18n.js';

const WEATHER_REFRESH_MS = 10 * 60_000;
const WEATHER_RETRY_MS = 30_000;
const DEVICES_FRESH_MS = 30_000;
const SENSITIVITIES = ['strict', 'normal', 'sensitive'];

/** @param {unknown} err */
const message = (err) => (err instanceof Error ? err.message : String(err));

/** @param {import('./controller.js').Context} ctx */
export function createServices(ctx) {
  /** @type {Promise<void> | null} */
  let devicesLoading = null;

  // ---- devices ---------------------------------------------------------------------------
  /** One request at a time: a sign made while the page is still loading waits for that answer. */
  function loadDevices() {
    devicesLoading ??= (async () => {
      ctx.set((s) => ({ devices: { ...s.devices, status: s.devices.data ? 'refreshing' : 'loading' } }));
      try {
        const data = await api.devices();
        ctx.set({ devices: { status: 'ok', data, error: '', loadedAt: ctx.now() } });
      } catch (err) {
        ctx.set((s) => ({ devices: { ...s.devices, status: 'error', error: message(err) } }));
      }
    })().finally(() => {
      devicesLoading = null;
    });
    return devicesLoading;
  }

  /** @param {number} index */
  async function toggleDeviceByIndex(index) {
    if (!ctx.state.devices.data || devicesLoading) await loadDevices();
    const list = ctx.state.devices.data?.configured ? ctx.state.devices.data.devices : null;
    const device = list?.find((/** @type {any} */ d) => d.index === index);
    if (!device) return false;
    void toggleDevice(device);
    return true;
  }

  async function toggleFirstLight() {
    if (!ctx.state.devices.data || devicesLoading || ctx.now() - ctx.state.devices.loadedAt > DEVICES_FRESH_MS) await loadDevices();
    const list = ctx.state.devices.data?.configured ? ctx.state.devices.data.devices : [];
    const light = list.find((/** @type {any} */ d) => d.domain === 'light');
    if (!light) return false;
    void toggleDevice(light);
    return true;
  }

  /** @param {any} device */
  async function toggleDevice(device) {
    try {
      const answer = await api.toggleDevice(device.entityId);
      const stateText = typeof answer?.state === 'string' ? answer.state : answer?.device?.state;
      ctx.set((s) => ({
        devices: {
          ...s.devices,
          data: s.devices.data && {
            ...s.devices.data,
            devices: s.devices.data.devices.map((/** @type {any} */ d) => (d.entityId === device.entityId ? { ...d, state: stateText ?? d.state } : d)),
          },
        },
      }));
      ctx.toast(t('toast.device', { name: device.name, state: stateName(stateText) }), 'ok');
    } catch (err) {
      ctx.toast(t('toast.deviceFailed', { name: device.name, error: message(err) }), 'error');
    }
  }

  // ---- weather ---------------------------------------------------------------------------
  /** @param {boolean} force */
  async function loadWeather(force) {
    const w = ctx.state.weather;
    // After a failure, wait a little before the tick asks again (the backend answers 503 fast offline).
    const fresh = w.status === 'error' ? WEATHER_RETRY_MS : WEATHER_REFRESH_MS;
    if (w.status === 'loading' || w.status === 'refreshing' || (!force && ctx.now() - w.checkedAt < fresh)) return;
    ctx.set({ weather: { ...w, status: w.data ? 'refreshing' : 'loading' } });
    try {
      const data = await api.weather();
      ctx.set({ weather: { status: 'ok', data, error: '', loadedAt: ctx.now(), checkedAt: ctx.now() } });
    } catch (err) {
      ctx.set((s) => ({ weather: { ...s.weather, status: 'error', error: message(err), checkedAt: ctx.now() } }));
    }
  }

  // ---- settings, Wi-Fi, info -------------------------------------------------------------
  /** @param {Record<string, unknown>} patch */
  async function updateSettings(patch) {
    try {
      const settings = await api.putSettings(patch);
      ctx.applySettings(settings ?? patch);
      ctx.toast(t('toast.saved'), 'ok');
    } catch (err) {
      ctx.toast(t('toast.settingsFailed', { error: message(err) }), 'error');
    }
  }

  /** Digit n on the general settings tab: flip or cycle the n-th setting. @param {number} index */
  function cycleSetting(index) {
    const s = ctx.state.settings;
    const patches = [
      { language: s.language === 'es' ? 'en' : 'es' },
      { handedness: s.handedness === 'right' ? 'left' : 'right' },
      { sensitivity: SENSITIVITIES[(SENSITIVITIES.indexOf(s.sensitivity) + 1) % SENSITIVITIES.length] },
      { preview: !s.preview },
      { clock24h: !s.clock24h },
    ];
    const patch = patches[index - 1];
    if (!patch) return false;
    void updateSettings(patch);
    return true;
  }

  async function loadWifi() {
    ctx.set((s) => ({ wifi: { ...s.wifi, status: 'loading', error: '' } }));
    try {
      const net = await api.netStatus();
      const list = net?.available === false ? { networks: [] } : await api.wifiList();
      ctx.set((s) => ({ wifi: { ...s.wifi, status: 'ok', net, networks: list?.networks ?? [] } }));
    } catch (err) {
      ctx.set((s) => ({ wifi: { ...s.wifi, status: 'error', error: message(err) } }));
    }
  }

  /** @param {string} ssid @param {string} [password] */
  async function connectWifi(ssid, password) {
    ctx.set((s) => ({ wifi: { ...s.wifi, connecting: ssid } }));
    try {
      const net = await api.connect(ssid, password);
      ctx.set((s) => ({ wifi: { ...s.wifi, net, connecting: '' } }));
      ctx.toast(t('toast.wifiConnected', { ssid }), 'ok');
      void loadWifi();
    } catch (err) {
      ctx.set((s) => ({ wifi: { ...s.wifi, connecting: '' } }));
      ctx.toast(t('toast.wifiFailed', { ssid, error: message(err) }), 'error');
    }
  }

  /** Digit n on the Wi-Fi tab: join the n-th network (open or already known to NetworkManager). @param {number} index */
  function connectByIndex(index) {
    const network = ctx.state.wifi.networks[index - 1];
    if (!network) return false;
    void connectWifi(network.ssid);
    return true;
  }

  async function loadInfo() {
    try {
      ctx.set({ info: await api.info() });
    } catch (err) {
      ctx.toast(message(err), 'error');
    }
  }

  return {
    loadDevices, toggleDeviceByIndex, toggleFirstLight, toggleDevice, loadWeather,
    updateSettings, cycleSetting, loadWifi, connectWifi, connectByIndex, loadInfo,
  };
}
