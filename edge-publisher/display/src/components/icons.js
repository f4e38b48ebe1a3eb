// @ts-check
/** Line icons as inline SVG (no emoji font needed on the Pi). */
import { html } from '../html.js';

const PATHS = {
  sun: () => html`<circle cx="12" cy="12" r="4.5"/><path d="M12 1.5v2.5M12 20v2.5M1.5 12H4M20 12h2.5M4.6 4.6l1.8 1.8M17.6 17.6l1.8 1.8M4.6 19.4l1.8-1.8M17.6 6.4l1.8-1.8"/>`,
  moon: () => html`<path d="M20 14.5A8.5 8.5 0 0 1 9.5 4a8.5 8.5 0 1 0 10.5 10.5z"/>`,
  cloud: () => html`<path d="M7 18.5h10.5a4 4 0 0 0 .4-8 5.5 5.5 0 0 0-10.6 1.3A3.4 3.4 0 0 0 7 18.5z"/>`,
  partly: () => html`<path d="M9 3v1.5M3.5 9H5M4.8 4.8l1 1M13.2 4.8l-1 1"/><path d="M6.3 11.2A3.5 3.5 0 0 1 12.4 8"/><path d="M8.5 20h9a3.5 3.5 0 0 0 .3-7 4.8 4.8 0 0 0-9.2 1.2 2.9 2.9 0 0 0-.1 5.8z"/>`,
  'partly-night': () => html`<path d="M11.5 8.2A5 5 0 0 1 5 4a5 5 0 1 0 6.5 4.2z"/><path d="M8.5 20h9a3.5 3.5 0 0 0 .3-7 4.8 4.8 0 0 0-9.2 1.2 2.9 2.9 0 0 0-.1 5.8z"/>`,
  fog: () => html`<path d="M4 9h16M2.5 13h19M5 17h14M8 21h8"/>`,
  drizzle: () => html`<path d="M7 15h10.5a4 4 0 0 0 .4-8 5.5 5.5 0 0 0-10.6 1.3A3.4 3.4 0 0 0 7 15z"/><path d="M9 18v1M13 18v1M17 18v1"/>`,
  rain: () => html`<path d="M7 14h10.5a4 4 0 0 0 .4-8 5.5 5.5 0 0 0-10.6 1.3A3.4 3.4 0 0 0 7 14z"/><path d="M8.5 17l-1 3M12.5 17l-1 3M16.5 17l-1 3"/>`,
  snow: () => html`<path d="M7 14h10.5a4 4 0 0 0 .4-8 5.5 5.5 0 0 0-10.6 1.3A3.4 3.4 0 0 0 7 14z"/><path d="M8 18h.01M12 20h.01M16 18h.01M10 22h.01M14 22h.01" stroke-width="2.5"/>`,
  storm: () => html`<path d="M7 14h10.5a4 4 0 0 0 .4-8 5.5 5.5 0 0 0-10.6 1.3A3.4 3.4 0 0 0 7 14z"/><path d="M12.5 15l-2.5 4h3l-2 4"/>`,
  clock: () => html`<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>`,
  bulb: () => html`<path d="M9 18h6M10 21h4M12 3a6 6 0 0 0-3.5 10.9c.6.5 1 1.2 1 2V16h5v-.1c0-.8.4-1.5 1-2A6 6 0 0 0 12 3z"/>`,
  gear: () => html`<circle cx="12" cy="12" r="3"/><path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z"/>`,
  hand: () => html`<path d="M18 11V6a2 2 0 0 0-4 0v5M14 10V4a2 2 0 0 0-4 0v6M10 10.5V6a2 2 0 0 0-4 0v8"/><path d="M18 8a2 2 0 1 1 4 0v6a8 8 0 0 1-8 8h-2c-2.8 0-4.5-.9-6-2.4l-3.6-3.6a2 2 0 0 1 2.8-2.8L7 15"/>`,
  wifi: () => html`<path d="M2 8.8a15 15 0 0 1 20 0M5 12.5a10 10 0 0 1 14 0M8.5 16a5 5 0 0 1 7 0"/><circle cx="12" cy="19.5" r="1"/>`,
  bell: () => html`<path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.9 1.9 0 0 0 3.4 0"/>`,
  wind: () => html`<path d="M9.6 4.6A2 2 0 1 1 11 8H2M12.6 19.4A2 2 0 1 0 14 16H2M17.7 7.7A2.5 2.5 0 1 1 19.5 12H2"/>`,
};

/** @param {{ name: string, class?: string }} props */
export function Icon({ name, class: cls = '' }) {
  const alias = name === 'clear' ? 'sun' : name === 'clear-night' ? 'moon' : name;
  // Fresh vnodes per use: a shared vnode must not be mounted in two places.
  const named = (/** @type {Record<string, () => unknown>} */ (PATHS)[alias] ?? PATHS.cloud)();
  return html`<svg class=${`icon ${cls}`} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.6"
    stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${named}</svg>`;
}
