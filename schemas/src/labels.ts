/**
 * The original Helen label table, in model output index order. The index of a label is
 * the model's class index: never reorder, only append (and retrain).
 */
export const CLASS_LABELS = [
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
  'Start', 'Clima', 'Foco', 'Ajustes', 'Inicio', 'Dispositivos',
  'Reloj', 'Wifi', 'Alarma', 'Tutorial', 'Anterior', 'Agregar',
] as const;

export type ClassLabel = (typeof CLASS_LABELS)[number];

export const NUM_CLASSES = CLASS_LABELS.length;

export function isClassLabel(value: string): value is ClassLabel {
  return (CLASS_LABELS as readonly string[]).includes(value);
}
