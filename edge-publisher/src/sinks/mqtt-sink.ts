/** Gesture events on helen/v1/devices/{id}/gestures, QoS 1 (JSON, readable with mosquitto_sub). */
import type { GestureEvent } from '@helen/schemas';
import type { MqttLink } from '../mqtt/link';
import type { GestureSink } from './types';

export class MqttGestureSink implements GestureSink {
  readonly name = 'mqtt';
  readonly stats = { published: 0, skipped: 0 };
  private readonly topic: string;

  constructor(private readonly link: MqttLink, deviceId: string) {
    this.topic = link.topics.gestures(deviceId);
  }

  send(event: GestureEvent): void {
    // While the broker is away the event is not queued: a command replayed later would surprise.
    if (this.link.publish(this.topic, JSON.stringify(event), 1)) this.stats.published++;
    else this.stats.skipped++;
  }
}
