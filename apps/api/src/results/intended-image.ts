import type { Layout } from '#ingrain/otp';
import { secretFieldsOf } from '../identity/stored-device.js';
import type { DeviceRecord } from '../repositories/device-records.js';
import type { IntendedImage } from './result-judgement.js';

/** What a report about the device is judged against (docs/api-domain.md, "Judging a station report"). */
export function intendedImageOf(
  device: Pick<DeviceRecord, 'id' | 'imageData' | 'lockBlocks' | 'secretFields'>,
  layout: Layout,
): IntendedImage {
  return {
    family: layout.family,
    dataWithSecretsZeroed: device.imageData,
    lockedBlocks: device.lockBlocks,
    secretRanges: secretFieldsOf(device),
  };
}
