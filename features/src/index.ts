export { featureDim, handFeatureDim, normalizeHand, handCenter, handBboxArea, LANDMARKS_PER_HAND, NORM_EPS } from './normalize';
export { assignSlots, SLOT_NAMES, type SlotCandidate, type SlotRules } from './slots';
export { FrameFeaturizer, DEFAULT_FEATURE_OPTIONS, type FeatureOptions, type SlotInfo, type FrameFeatures } from './featurizer';
export { FeatureWindow, minPartialFrames, prepareModelInput, windowsFromFrames } from './window';
