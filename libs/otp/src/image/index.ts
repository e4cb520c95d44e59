export * from './otp-image.js';
export * from './errors.js';
export { assertImageFits, assertStateFits, blankState, imageFromRaw, stateFromImage } from './image-helpers.js';
