// The provisioning endpoints' expected failures, one builder per code that several places throw.
// Details name ids, states and rules, never a secret, an input value or an image byte.
import { type DeviceState } from '#ingrain/contracts';
import { AppError } from '../errors/app-error.js';
import { productHasNoLayout, workOrderNotFound as workOrderIdNotFound } from '../work-orders/work-order-errors.js';

export { productHasNoLayout };

/** DEVICE_NOT_FOUND. */
export function deviceNotFound(deviceId: string): AppError {
  return new AppError('DEVICE_NOT_FOUND', `no device has id ${deviceId}`);
}

/** WORK_ORDER_NOT_FOUND, named by the request field that referred to it. */
export function workOrderNotFound(workOrderId: string): AppError {
  return workOrderIdNotFound(workOrderId, 'body.workOrderId');
}

/** WORK_ORDER_CLOSED: a closed work order issues no more identities. */
export function workOrderClosed(workOrderId: string): AppError {
  return new AppError('WORK_ORDER_CLOSED', `work order ${workOrderId} is closed: it issues no more devices`, {
    extensions: { workOrderId },
  });
}

/** WORK_ORDER_EXHAUSTED: every identity the work order plans has been issued. */
export function workOrderExhausted(workOrderId: string, quantity: number): AppError {
  return new AppError(
    'WORK_ORDER_EXHAUSTED',
    `work order ${workOrderId} has issued all ${quantity} devices it plans: open another work order`,
    { extensions: { workOrderId, quantity } },
  );
}

/** SERIAL_ALREADY_USED: serials are unique per product, and an identity is never issued twice. */
export function serialAlreadyUsed(productId: string, cause?: unknown): AppError {
  return new AppError('SERIAL_ALREADY_USED', `product '${productId}' already has a device with this serial`, {
    errors: [{ path: 'body.serial', message: 'this serial is taken' }],
    cause,
  });
}

/** IDENTITY_BOUND_ELSEWHERE: the device is bound to another chip (an identity never reaches two chips). */
export function identityBoundElsewhere(deviceId: string): AppError {
  return new AppError(
    'IDENTITY_BOUND_ELSEWHERE',
    `device ${deviceId} is bound to another chip: an identity is never written to two chips`,
    { extensions: { deviceId } },
  );
}

/** CHIP_ALREADY_BOUND with the id of the device the chip holds: finish that one instead. */
export function chipAlreadyBound(boundDeviceId: string): AppError {
  return new AppError(
    'CHIP_ALREADY_BOUND',
    `the chip is bound to device ${boundDeviceId}: finish that device's job with this chip instead`,
    { extensions: { deviceId: boundDeviceId } },
  );
}

/**
 * DEVICE_STATE_CONFLICT for a report or claim about a device in a final state, with the same
 * `{ state, action }` members as libs/contracts' `assertTransition` refusal (mapped at the boundary).
 */
export function deviceStateConflict(state: DeviceState, action: string, detail: string): AppError {
  return new AppError('DEVICE_STATE_CONFLICT', detail, { extensions: { state, action } });
}

/** BINDING_NOT_FOUND: no device is bound to the chip. */
export function bindingNotFound(): AppError {
  return new AppError('BINDING_NOT_FOUND', 'no device is bound to this chip');
}

/** STATION_TOKEN_REQUIRED: only a token bound to a station may act as one. */
export function stationTokenRequired(): AppError {
  return new AppError('STATION_TOKEN_REQUIRED', 'this action needs a station token bound to a station');
}
