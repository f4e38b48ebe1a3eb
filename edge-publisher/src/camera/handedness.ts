import type { LandmarkFrame } from '@helen/schemas';
import type { HandednessMode } from './config';

/**
 * Puts what tasks-vision reports into the frame convention the features and the model use.
 *
 * The convention (schemas `features/slots.ts`, the synthetic generator in models): the
 * image is a mirrored selfie view; a "Right" hand is the user's right hand, sits on the
 * right half, and with its palm to the camera has its thumb on the image's left.
 *
 * tasks-vision 1.1.0 does not assume a mirrored image (measured on the fixture photos: the
 * woman in pointing_up.jpg raises her left hand and it reports Left; the legacy
 * @mediapipe/hands reports the opposite). A user-facing camera's raw frames are unmirrored
 * (the page mirrors only the preview), so on raw frames its labels are the user's real
 * hands but the geometry is the mirror image of the convention's.
 * - `mirror` (default): x -> 1 - x, labels kept. Exactly the convention: the user's right
 *   hand lands in the Right slot with a right hand's shape.
 * - `swap`: labels swapped, x kept. Also self-consistent (each slot gets the shape the model
 *   learned for it; the generator trains both sides alike) but the user's right hand lands in
 *   the Left slot: what the legacy solution gives on raw frames, and the right choice for a
 *   camera that mirrors in hardware (there it puts the real hands in their own slots).
 * - `as-reported`: untouched: label and shape disagree with the convention. Debugging only.
 */
export function mapHandedness(frame: LandmarkFrame, mode: HandednessMode): LandmarkFrame {
  switch (mode) {
    case 'as-reported':
      return frame;
    case 'swap':
      return { ...frame, hands: frame.hands.map((h) => ({ ...h, handedness: h.handedness === 'Left' ? 'Right' : 'Left' })) };
    case 'mirror':
      return {
        ...frame,
        hands: frame.hands.map((h) => ({ ...h, landmarks: h.landmarks.map(([x, y, z]) => [1 - (x ?? 0), y ?? 0, z ?? 0]) })),
      };
  }
}
