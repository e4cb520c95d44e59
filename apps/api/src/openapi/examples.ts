// The request examples of the OpenAPI document, in one place: each works as sent against an API that
// has the example product (examples/layouts/sensor-node.yaml as `sensor-node`) and the example work
// order. test/integration/openapi-examples.test.ts sends every one to a real API.

/** The example product's id (the layout examples/layouts/sensor-node.yaml). */
export const EXAMPLE_PRODUCT_ID = 'sensor-node';
/** The example work order's id (open, of the example product). */
export const EXAMPLE_WORK_ORDER_ID = '0b4f8a52-8c1e-4b6e-9a57-3f2d1c0e9b7a';

/** Inputs of one sensor-node device (examples/values/sensor-node.json without the serial). */
export const EXAMPLE_INPUTS = {
  manufactured_at: 1718000000,
  gain: 1.0125,
  offset_mv: -12,
  temp_coeff_ppm: 35.5,
  calibrated: true,
  device_uuid: '0190f3a2-7c1e-7b4d-9a55-3e2f1c0d9b8a',
  radio_mac: '02:1a:2b:3c:4d:5e',
} as const;

export const REQUEST_EXAMPLES = {
  CreateProductRequest: { id: 'sensor-node-b', name: 'Sensor node, rev. B', line: 'line-a', serialPrefix: 'SNB-' },
  CreateWorkOrderRequest: { productId: EXAMPLE_PRODUCT_ID, quantity: 500 },
  CreateDeviceRequest: { workOrderId: EXAMPLE_WORK_ORDER_ID, inputs: EXAMPLE_INPUTS },
  DeviceBatchRequest: { items: [{ inputs: EXAMPLE_INPUTS }, { inputs: { ...EXAMPLE_INPUTS, gain: 0.9987 } }] },
  RenderLayoutRequest: { values: { serial: 'SN-2406-000123', ...EXAMPLE_INPUTS } },
} as const;
