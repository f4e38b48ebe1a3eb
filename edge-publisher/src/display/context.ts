/** What every display route group shares: the stores, the clients and the edge's callbacks. */
import type { Logger } from 'pino';
import type { AlarmBook } from './alarms';
import type { HomeAssistantApi } from './home-assistant-api';
import type { Nmcli } from './nmcli';
import type { PageId } from './schemas';
import type { Sensitivity } from './sensitivity';
import type { UserSettingsStore } from './user-settings';
import type { WeatherClient } from './weather';

/** The edge's state for /api/info (app.ts `status()`). */
export interface DisplayEdgeStatus {
  mode?: string;
  device?: string;
  broker?: string;
  workersOnline?: number | null;
  fallbackActive?: boolean;
  servedBy?: string;
  model?: string | undefined;
}

export interface DisplayContext {
  log: Logger;
  settings: UserSettingsStore;
  alarms: AlarmBook;
  weather: WeatherClient;
  /** Unset when HELEN_HA_API_URL is not set. */
  homeAssistant: HomeAssistantApi | undefined;
  nmcli: Nmcli;
  /** Sends one event to every `/events` client. */
  broadcast(event: unknown): void;
  status(): DisplayEdgeStatus;
  applySensitivity(preset: Sensitivity): void;
  /** Last page a display reported (GET /mode). */
  mode: { page: PageId; armed: boolean };
  startedAt: number;
  now(): number;
}
