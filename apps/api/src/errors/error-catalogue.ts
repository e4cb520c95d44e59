/**
 * One error code of the API: what the HTTP boundary answers it with, and what it tells a caller.
 * docs/errors.md ("REST API") is generated from these entries (`npm run docs:errors`).
 */
export interface ErrorCatalogueEntry {
  /**
   * The HTTP status of the problem response, or null for a code that is never an HTTP answer (a
   * start-up or readiness failure: the process does not serve, or reports itself not ready).
   */
  readonly status: number | null;
  /** The problem's `title`: the HTTP reason phrase of `status`, unless the code has its own. */
  readonly title: string;
  /** When the code is raised (what the `errors` and extension members of the problem hold). */
  readonly meaning: string;
  /** What the caller should do about it. */
  readonly action: string;
}

/**
 * Every code the API raises, grouped along the data path (HTTP and auth, catalogue, work orders,
 * device requests, identity, claims, results, operator actions, audit, start-up). Every layer
 * throws by code (`new AppError('DEVICE_NOT_FOUND', detail)`); only apps/api/src/http reads `status`.
 * Libraries' codes the API passes through as they are (LAYOUT_INVALID, VALUES_INVALID from
 * libs/otp; STATION_REPORT_INVALID, DEVICE_STATE_CONFLICT, DEVICE_RELEASE_REFUSED from
 * libs/contracts) are listed too: the boundary maps them in http/library-errors.ts.
 */
export const ERROR_CATALOGUE = {
  // HTTP: requests the framework or the request schemas refuse.
  VALIDATION_FAILED: {
    status: 400,
    title: 'Invalid request',
    meaning: 'a body, path, query or header field is invalid; `errors` names each one',
    action: 'fix those fields',
  },
  CURSOR_INVALID: {
    status: 400,
    title: 'Bad Request',
    meaning:
      'the `cursor` query parameter is not a nextCursor this list gave (malformed, or of another list); `errors` names `query.cursor`',
    action: "pass the previous page's nextCursor unchanged, with the same filters, or omit it for the first page",
  },
  BAD_REQUEST: {
    status: 400,
    title: 'Bad Request',
    meaning: 'the request cannot be read (e.g. a body that is not JSON)',
    action: 'send a well-formed request',
  },
  UNAUTHORIZED: {
    status: 401,
    title: 'Unauthorized',
    meaning: 'the framework refused the request as unauthenticated',
    action: 'send a valid `Authorization: Bearer ingr_…`',
  },
  FORBIDDEN: {
    status: 403,
    title: 'Forbidden',
    meaning: 'the framework refused the request as forbidden',
    action: 'use a token allowed to call the endpoint',
  },
  NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'no route has this method and path',
    action: 'check the URL against openapi/openapi.json',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    title: 'Method Not Allowed',
    meaning: 'the route does not take this method',
    action: 'use a method the route documents',
  },
  NOT_ACCEPTABLE: {
    status: 406,
    title: 'Not Acceptable',
    meaning: 'the API cannot answer in a media type the `Accept` header allows',
    action: 'accept `application/json` and `application/problem+json`',
  },
  REQUEST_TIMEOUT: {
    status: 408,
    title: 'Request Timeout',
    meaning: 'the request was not received in time',
    action: 'retry',
  },
  CONFLICT: {
    status: 409,
    title: 'Conflict',
    meaning: 'the framework refused the request as conflicting',
    action: 'read the resource and retry',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Payload Too Large',
    meaning: 'the request body exceeds the body limit',
    action: 'send a smaller body',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported Media Type',
    meaning: 'the body is not in a media type the route takes',
    action: 'send `Content-Type: application/json`',
  },
  UNPROCESSABLE_CONTENT: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: 'the framework refused the body',
    action: 'fix the body',
  },
  TOO_MANY_REQUESTS: {
    status: 429,
    title: 'Too Many Requests',
    meaning: 'the framework refused the request as too frequent',
    action: 'wait and retry',
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    title: 'Service Unavailable',
    meaning: 'the service cannot answer now',
    action: 'retry later',
  },
  INTERNAL_ERROR: {
    status: 500,
    title: 'Internal Server Error',
    meaning: 'unexpected; logged with the correlation id, the detail says nothing more',
    action: 'report the `correlationId`',
  },
  DATABASE_UNAVAILABLE: {
    status: 503,
    title: 'Service Unavailable',
    meaning: 'the database is busy or unreachable (retryable; `Retry-After`)',
    action: 'retry',
  },

  // HTTP: refused by the router or Node's HTTP parser, before the app's code (issue 9).
  URI_TOO_LONG: {
    status: 414,
    title: 'URI Too Long',
    meaning: "a path parameter exceeds the router's length limit",
    action: 'check the id in the path',
  },
  REQUEST_HEADERS_TOO_LARGE: {
    status: 431,
    title: 'Request Header Fields Too Large',
    meaning: 'the request headers exceed the size limit (the connection is closed)',
    action: 'send smaller headers',
  },

  // Authentication and roles.
  AUTH_REQUIRED: {
    status: 401,
    title: 'Unauthorized',
    meaning: 'no bearer token',
    action: 'send `Authorization: Bearer ingr_…`',
  },
  AUTH_INVALID: {
    status: 401,
    title: 'Unauthorized',
    meaning: 'an unknown, revoked or malformed token (deliberately not told apart)',
    action: 'send a valid token',
  },
  ROLE_FORBIDDEN: {
    status: 403,
    title: 'Forbidden',
    meaning: "the token's role may not call this endpoint",
    action: 'use a token with an allowed role',
  },
  QUEUE_JOB_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'no device with this id, or its line queue holds no job for it',
    action: 'check the id (a job id is its device id) in `GET /v1/queue/jobs`',
  },
  QUEUE_JOB_NOT_RETRYABLE: {
    status: 409,
    title: 'Conflict',
    meaning:
      'the job is not failed, or its device has a final outcome (provisioned, quarantined, scrapped): a final outcome is never retried',
    action: 'a quarantined device is released or scrapped instead (`POST /v1/devices/{id}/release` or `/scrap`)',
  },
  CONSOLE_SESSION_INVALID: {
    status: 401,
    title: 'Unauthorized',
    meaning: 'the console session cookie is unknown, expired, idle too long, signed out, or its token was revoked',
    action: 'sign in to the console again',
  },
  CONSOLE_SESSION_REQUIRED: {
    status: 400,
    title: 'Bad Request',
    meaning:
      '`GET /console/session` was called with a bearer token: it describes a console session, which only the cookie names',
    action: 'sign in with `POST /console/session` and call it with the session cookie',
  },
  CSRF_TOKEN_INVALID: {
    status: 403,
    title: 'Forbidden',
    meaning:
      'a state-changing request authenticated by the console session cookie lacks the X-CSRF-Token header of its session (or sends another)',
    action: 'send the csrfToken of `GET /console/session` in X-CSRF-Token',
  },
  CONSOLE_ROLE_NOT_ALLOWED: {
    status: 403,
    title: 'Forbidden',
    meaning: 'a station token may not sign in to the console (stations have no pages)',
    action: 'sign in with an admin, mes or auditor token',
  },
  AUTH_RATE_LIMITED: {
    status: 429,
    title: 'Too Many Requests',
    meaning:
      'a bad token from an address with too many recent authentication failures (a valid token is never refused)',
    action: 'wait `Retry-After` seconds',
  },
  CLIENT_CERT_REQUIRED: {
    status: 403,
    title: 'Forbidden',
    meaning: 'a station token without a client certificate, which the API requires from stations ([tls.md](tls.md))',
    action: "set the station's INGRAIN_API_CLIENT_CERT_FILE and INGRAIN_API_CLIENT_KEY_FILE",
  },
  CLIENT_CERT_UNTRUSTED: {
    status: 403,
    title: 'Forbidden',
    meaning: "a station's client certificate that does not verify against the client CA; `reason` holds OpenSSL's code",
    action: 'issue it from the CA in INGRAIN_TLS_CLIENT_CA_FILE, or renew it',
  },
  CLIENT_CERT_WRONG_STATION: {
    status: 403,
    title: 'Forbidden',
    meaning:
      "the client certificate's one SAN URI `urn:ingrain:station:<id>` is not the token's station (`certificateStations`)",
    action: "use the station's own certificate and token together",
  },
  TOKEN_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'no API token has this id',
    action: 'check the id',
  },
  STATION_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: "no station has this id (a station token's `stationId`, or the station of the path)",
    action: 'register the station first',
  },
  STATION_EXISTS: {
    status: 409,
    title: 'Conflict',
    meaning: 'the station id is taken',
    action: 'choose another id',
  },
  STATION_TOKEN_REQUIRED: {
    status: 403,
    title: 'Forbidden',
    meaning: 'the action needs a station token bound to a station',
    action: "use the station's own token",
  },
  STATION_SEALING_KEY_MISSING: {
    status: 409,
    title: 'Conflict',
    meaning:
      'the calling station has no sealing public key registered, so its claim cannot be sealed to it; nothing is bound or handed out (secrets never travel in clear)',
    action:
      'run `ingrain-station keygen` on the station and have the admin register the key: `PUT /v1/stations/{id}/sealing-key` (docs/station.md)',
  },

  // Catalogue: products, layouts, serial rules.
  PRODUCT_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'no such product (`errors` names the request field that referred to it)',
    action: 'check the id',
  },
  PRODUCT_EXISTS: {
    status: 409,
    title: 'Conflict',
    meaning: 'the product id is taken (ids are never reused)',
    action: 'choose another id',
  },
  LAYOUT_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'the product has no such layout version (or the product does not exist)',
    action: 'check the product id and version',
  },
  LAYOUT_VERSION_CONFLICT: {
    status: 409,
    title: 'Conflict',
    meaning: "the layout's `version` is not the product's next one (`expectedVersion`)",
    action: 'set `version` accordingly',
  },
  LAYOUT_INVALID: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: 'the layout is invalid (libs/otp); `errors` lists every issue',
    action: 'fix the layout ([layouts.md](layouts.md#validation-errors))',
  },
  LAYOUT_UNSUPPORTED: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: 'a family or generator the service does not support; `errors` lists each',
    action: 'change the layout',
  },
  VALUES_INVALID: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: 'the input values do not fit the layout (libs/otp); `errors` names each field',
    action: 'fix the values ([layouts.md](layouts.md#validation-errors))',
  },
  LAYOUT_RECORD_INVALID: {
    status: 500,
    title: 'Internal Server Error',
    meaning: 'a stored layout is missing, no longer validates or no longer matches its digest',
    action: 'report it: the catalogue record needs investigating',
  },
  SERIAL_PREFIX_INVALID: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: 'a product serial prefix outside its rule',
    action: 'empty, or up to 48 serial characters starting alphanumeric',
  },

  // Work orders.
  WORK_ORDER_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'no work order has this id',
    action: 'check the id',
  },
  PRODUCT_HAS_NO_LAYOUT: {
    status: 409,
    title: 'Conflict',
    meaning: 'the product has no layout yet',
    action: 'add a layout first',
  },
  WORK_ORDER_COUNTS_INCONSISTENT: {
    status: 500,
    title: 'Internal Server Error',
    meaning: "a work order's devices do not add up (a bug or a concurrent change)",
    action: 'retry the close; report it if it persists',
  },
  WORK_ORDER_RECORD_INVALID: {
    status: 500,
    title: 'Internal Server Error',
    meaning: 'the stored close report of a work order does not read back',
    action: 'report it: the record needs investigating',
  },
  WORK_ORDER_REPORT_INVALID: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: 'a signed close report does not verify (signature, payloadType, canonical form, schema)',
    action: 'use the published attestation key; otherwise the report was altered',
  },

  // Device requests (identity issuance).
  IDEMPOTENCY_KEY_INVALID: {
    status: 400,
    title: 'Bad Request',
    meaning: 'the `Idempotency-Key` header is missing or not 1–255 printable ASCII without spaces',
    action: 'send a fresh key (e.g. a UUID) per new request',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: 'the key was used before by this requester with another body (`existingId`)',
    action: 'use a new key for a new request; resend the exact body to get the earlier result',
  },
  SERIAL_INVALID: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: 'a serial outside the identifier rule',
    action: '1–64 of `A–Z a–z 0–9 . _ -`, starting with a letter or digit',
  },
  SERIAL_ALREADY_USED: {
    status: 409,
    title: 'Conflict',
    meaning: 'the product already has a device with this serial',
    action: 'use another serial',
  },
  WORK_ORDER_CLOSED: {
    status: 409,
    title: 'Conflict',
    meaning: 'the work order is closed: it issues no more devices (`workOrderId`)',
    action: 'open another work order',
  },
  WORK_ORDER_NOT_CLOSED: {
    status: 409,
    title: 'Conflict',
    meaning: 'the work order is still open: its close report does not exist yet',
    action: 'close it first (POST /v1/work-orders/{id}/close, role mes), or wait until it is closed',
  },
  WORK_ORDER_EXHAUSTED: {
    status: 409,
    title: 'Conflict',
    meaning: 'the quantity is used up, atomically across API processes (`workOrderId`, `quantity`)',
    action: 'open another work order',
  },
  DEVICE_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'no device has this id',
    action: 'check the id',
  },
  DEVICE_NOT_QUARANTINED: {
    status: 409,
    title: 'Conflict',
    meaning: 'the device is not quarantined: only a quarantined chip has a difference from its target',
    action: "read the device's state and history (GET /v1/devices/{id})",
  },

  // Identity: issuance inputs and re-materialization.
  IDENTITY_INPUT_INVALID: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: 'inputs (or sample values) set a generated field',
    action: 'remove it: the service generates it',
  },
  IDENTITY_FIELDS_DISAGREE: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: "an input gives the layout's serial field another value than the serial; `errors` names both fields",
    action: 'leave the input out (the service fills it) or give the same value',
  },
  IDENTITY_RECORD_INVALID: {
    status: 500,
    title: 'Internal Server Error',
    meaning:
      'a device record cannot be re-materialized: it disagrees with its layout, its sealed secrets or certificate are missing or malformed',
    action: 'do not provision it; investigate the record (quarantine or scrap the device)',
  },
  IDENTITY_SECRET_MISMATCH: {
    status: 500,
    title: 'Internal Server Error',
    meaning: 'a re-materialized secret does not match the commitment made at issuance',
    action: 'check the HSM keys (a replaced master?); never send the image; quarantine the device',
  },

  // Claims and bindings.
  IDENTITY_BOUND_ELSEWHERE: {
    status: 409,
    title: 'Conflict',
    meaning: 'this identity is bound to another chip (`deviceId`)',
    action: 'never write it to this chip',
  },
  CHIP_ALREADY_BOUND: {
    status: 409,
    title: 'Conflict',
    meaning: 'this chip already holds another identity (`deviceId`)',
    action: 'finish that device on this chip',
  },
  BINDING_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'no device is bound to this chip',
    action: 'claim a device for the chip first',
  },
  DEVICE_STATE_CONFLICT: {
    status: 409,
    title: 'Conflict',
    meaning: "the device's state does not allow the action (`state`, `action`; libs/contracts' transition table)",
    action: 'read the device; final states are final',
  },

  // Station scope (issue 9): a station acts on its line's devices, and reports only on those it claimed.
  DEVICE_OTHER_LINE: {
    status: 409,
    title: 'Conflict',
    meaning:
      "the device's product is made on another line than the calling station's (`deviceId`); nothing is bound, handed out or recorded",
    action: "leave the chip to a station of the device's line; check which line the fixture's chips came from",
  },
  DEVICE_CLAIMED_BY_OTHER_STATION: {
    status: 409,
    title: 'Conflict',
    meaning:
      'the device is claimed by another station (`deviceId`): only that station reports for it; nothing is recorded',
    action:
      'finish the chip here by claiming the device with it first (a hand-over), or leave it to the claiming station',
  },

  // Results: station reports and their judgement.
  STATION_REPORT_INVALID: {
    status: 400,
    title: 'Bad Request',
    meaning: 'a station report does not parse (libs/contracts); `errors` names each field',
    action: 'fix the station; the device stays claimed',
  },
  REPORT_SECRET_BYTES_PRESENT: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: "the report's data holds secret-field bytes; nothing is recorded",
    action: "fix the station's masking (`maskSecretFields`); treat those secrets as exposed",
  },
  REPORT_INCOMPLETE: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: 'a success report without complete data or lock bytes; nothing is recorded',
    action: 'fix the station',
  },

  // Operator actions.
  DEVICE_RELEASE_REFUSED: {
    status: 409,
    title: 'Conflict',
    meaning: 'a station reported bytes written to the bound chip: it cannot be released (libs/contracts)',
    action: 'scrap the device instead: the chip may hold part of the identity',
  },

  // Audit: attestations and the transparency log.
  ATTESTATION_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'no attestation is logged at this leaf index',
    action: 'check the index',
  },
  CHECKPOINT_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'no checkpoint was signed at a requested tree size',
    action: 'ask for a tree size a checkpoint was signed at',
  },
  WITNESSED_CHECKPOINT_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'no witness is configured (INGRAIN_WITNESS_URLS), or none has cosigned a checkpoint yet',
    action: 'configure witnesses (docs/witness.md), or retry after a witnessing round',
  },

  // Webhooks (docs/webhooks.md).
  WEBHOOK_URL_REFUSED: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning:
      'the subscription URL is not accepted: not https:// (http:// only for a loopback host unless INGRAIN_WEBHOOKS_ALLOW_HTTP=true), or it carries credentials or a fragment; `errors` names the field and the rule',
    action: 'give an https:// URL without user name, password or fragment',
  },
  WEBHOOK_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'no webhook subscription has this id',
    action: 'check the id (GET /v1/webhooks)',
  },
  WEBHOOK_DELIVERY_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning: 'the subscription has no delivery with this id',
    action: 'check the ids (GET /v1/webhooks/{id}/deliveries)',
  },
  LEAF_NOT_IN_CHECKPOINT: {
    status: 422,
    title: 'Unprocessable Entity',
    meaning: 'the named checkpoint does not cover this leaf index (leafIndex >= treeSize)',
    action: 'name a checkpoint with a larger tree size, or omit treeSize for the latest',
  },
  LOG_TILE_NOT_FOUND: {
    status: 404,
    title: 'Not Found',
    meaning:
      'no such tile: the path is not a c2sp.org/tlog-tiles tile path, or the latest checkpoint does not reach it yet',
    action: 'fetch the checkpoint and ask only for tiles of its tree size',
  },

  // Start-up and readiness: never an HTTP answer (the process does not serve, or is not ready).
  CONFIG_INVALID: {
    status: null,
    title: 'Invalid configuration',
    meaning: 'the environment does not describe a runnable API; the message names each variable',
    action: 'fix those variables ([api.md](api.md))',
  },
  TRUST_KEY_MISSING: {
    status: null,
    title: 'Service key missing',
    meaning: 'a service key of the inventory is not on the token',
    action: 'run `ingrain-admin hsm init`; see [keys.md](keys.md)',
  },
  TRUST_KEY_INVALID: {
    status: null,
    title: 'Service key invalid',
    meaning: 'a service key is not what the inventory requires (duplicates, wrong type, weak attributes)',
    action: 'replace the key; see [keys.md](keys.md)',
  },
  TRUST_CA_CERTIFICATE_MISSING: {
    status: null,
    title: 'CA certificate missing',
    meaning: '`INGRAIN_PUBLIC_KEYS_DIR/ca.pem` cannot be read',
    action: 'run `ingrain-admin hsm init`; see [keys.md](keys.md)',
  },
  TRUST_CA_CERTIFICATE_MISMATCH: {
    status: null,
    title: 'CA certificate mismatch',
    meaning: "`ca.pem` is not a CA certificate of the HSM's device CA key",
    action: 'install the certificate of this HSM; see [keys.md](keys.md)',
  },
  TRUST_CA_CERTIFICATE_EXPIRED: {
    status: null,
    title: 'CA certificate expired',
    meaning: "the CA certificate's validity has ended: it can no longer issue device certificates",
    action: 'renew the CA certificate; see [keys.md](keys.md)',
  },
  TRUST_ENVELOPE_NOT_NORMAL: {
    status: null,
    title: 'Attestation not in normal form',
    meaning: 'an attestation handed to the log is not its normal-form text (a bug; answered as INTERNAL_ERROR)',
    action: 'report the `correlationId`',
  },
  TRUST_BUNDLE_INCOMPLETE: {
    status: null,
    title: 'Bundle incomplete',
    meaning: "an attestation's device record lacks what its bundle needs (answered as INTERNAL_ERROR)",
    action: 'report the `correlationId`',
  },
} as const satisfies Readonly<Record<string, ErrorCatalogueEntry>>;

/** A stable error code of the API: a key of {@link ERROR_CATALOGUE}. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** True when `code` is in the catalogue (e.g. a library error's code the API answers as it is). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}
