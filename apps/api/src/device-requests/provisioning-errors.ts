// The provisioning endpoints' expected failures, as ApiErrors with stable codes. Details name ids,
// states and rules, never a secret, an input value or an image byte.
import { type DeviceState } from '#ingrain/contracts';
import { ApiError } from '../http/api-error.js';

/** 404 DEVICE_NOT_FOUND. */
export function deviceNotFound(deviceId: string): ApiError {
  return new ApiError(404, 'DEVICE_NOT_FOUND', `no device has id ${deviceId}`);
}

/** 404 WORK_ORDER_NOT_FOUND (named by the request field that referred to it). */
export function workOrderNotFound(workOrderId: string): ApiError {
  return new ApiError(404, 'WORK_ORDER_NOT_FOUND', `no work order has id ${workOrderId}`, {
    errors: [{ path: 'body.workOrderId', message: 'no such work order' }],
  });
}

/** 409 WORK_ORDER_CLOSED: a closed work order issues no more identities. */
export function workOrderClosed(workOrderId: string): ApiError {
  return new ApiError(409, 'WORK_ORDER_CLOSED', `work order ${workOrderId} is closed: it issues no more devices`, {
    extensions: { workOrderId },
  });
}

/** 409 WORK_ORDER_EXHAUSTED: every identity the work order plans has been issued. */
export function workOrderExhausted(workOrderId: string, quantity: number): ApiError {
  return new ApiError(
    409,
    'WORK_ORDER_EXHAUSTED',
    `work order ${workOrderId} has issued all ${quantity} devices it plans: open another work order`,
    { extensions: { workOrderId, quantity } },
  );
}

/** 409 PRODUCT_HAS_NO_LAYOUT: a device needs a layout to render its image. */
export function productHasNoLayout(productId: string): ApiError {
  return new ApiError(409, 'PRODUCT_HAS_NO_LAYOUT', `product '${productId}' has no layout yet: add one first`, {
    errors: [{ path: 'body.productId', message: 'the product has no layout' }],
  });
}

/** 409 SERIAL_ALREADY_USED: serials are unique per product, and an identity is never issued twice. */
export function serialAlreadyUsed(productId: string, cause?: unknown): ApiError {
  return new ApiError(409, 'SERIAL_ALREADY_USED', `product '${productId}' already has a device with this serial`, {
    errors: [{ path: 'body.serial', message: 'this serial is taken' }],
    cause,
  });
}

/** 409 IDENTITY_BOUND_ELSEWHERE: the device is bound to another chip (an identity never reaches two chips). */
export function identityBoundElsewhere(deviceId: string): ApiError {
  return new ApiError(
    409,
    'IDENTITY_BOUND_ELSEWHERE',
    `device ${deviceId} is bound to another chip: an identity is never written to two chips`,
    { extensions: { deviceId } },
  );
}

/** 409 CHIP_ALREADY_BOUND with the id of the device the chip holds: finish that one instead. */
export function chipAlreadyBound(boundDeviceId: string): ApiError {
  return new ApiError(
    409,
    'CHIP_ALREADY_BOUND',
    `the chip is bound to device ${boundDeviceId}: finish that device's job with this chip instead`,
    { extensions: { deviceId: boundDeviceId } },
  );
}

/** 409 DEVICE_STATE_CONFLICT for a report or claim about a device in a final state. */
export function deviceStateConflict(state: DeviceState, action: string, detail: string): ApiError {
  return new ApiError(409, 'DEVICE_STATE_CONFLICT', detail, { extensions: { state, action } });
}

/** 404 BINDING_NOT_FOUND: no device is bound to the chip. */
export function bindingNotFound(): ApiError {
  return new ApiError(404, 'BINDING_NOT_FOUND', 'no device is bound to this chip');
}

/** 403 STATION_TOKEN_REQUIRED: only a token bound to a station may act as one. */
export function stationTokenRequired(): ApiError {
  return new ApiError(403, 'STATION_TOKEN_REQUIRED', 'this action needs a station token bound to a station');
}
