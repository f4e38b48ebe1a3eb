// @ts-check
/**
 * The 22 sign labels, in model class order (mirror of @helen/schemas CLASS_LABELS; the browser
 * cannot import the TypeScript package, and the logic tests check the two lists agree).
 */
export const LABELS = Object.freeze([
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
  'Start', 'Clima', 'Foco', 'Ajustes', 'Inicio', 'Dispositivos',
  'Reloj', 'Wifi', 'Alarma', 'Tutorial', 'Anterior', 'Agregar',
]);

/** @param {unknown} value @returns {value is string} */
export function isLabel(value) {
  return typeof value === 'string' && LABELS.includes(value);
}

/** @param {string} label @returns {boolean} */
export function isDigit(label) {
  return label.length === 1 && label >= '0' && label <= '9';
}
