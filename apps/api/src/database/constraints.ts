/**
 * Names of the constraints callers may need to tell apart when a write is refused
 * (DatabaseError.constraint). Defined by migrations/0001-initial.ts.
 */
export const CONSTRAINTS = {
  productPrimaryKey: 'products_pkey',
  stationPrimaryKey: 'stations_pkey',
  tokenHash: 'api_tokens_token_hash_key',
  tokenStationBinding: 'api_tokens_station_binding_check',
  tokenStation: 'api_tokens_station_fkey',
  workOrderLayout: 'work_orders_layout_fkey',
  deviceSerial: 'devices_product_serial_key',
  deviceIdempotencyKey: 'devices_idempotency_key',
  deviceChipUid: 'devices_chip_uid_key',
  deviceLayout: 'devices_layout_fkey',
  deviceWorkOrder: 'devices_work_order_fkey',
  attestationDevice: 'attestations_device_key',
  attestationLeaf: 'attestations_leaf_fkey',
  logNodePrimaryKey: 'log_nodes_pkey',
} as const;
