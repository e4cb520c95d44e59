import { mock, type Mock } from 'node:test';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any method signature
type Method = (...args: any[]) => any;

/** The names of `T`'s methods. */
export type MethodName<T> = { [K in keyof T]-?: T[K] extends Method ? K : never }[keyof T];
type MethodOf<T, K extends MethodName<T>> = Extract<T[K], Method>;

/**
 * A strict automock of a class, typed as the class so it is injected where the class is expected.
 * Reach its mock functions through {@link mockOf}, {@link stub}, {@link resolves} and {@link callsOf}
 * (by method name: a method is never taken off its object).
 */
export type Automocked<T> = T;

/**
 * A strict automock of `Class` (immich's `automock`): every method on its prototype chain becomes a
 * `mock.fn` from node:test that throws "<Class>.<method> not mocked" until the test stubs it, so a
 * service can make no call the test did not expect. The constructor never runs (a private one is
 * fine). `values` sets plain properties (e.g. a signer field).
 */
export function automock<T extends object>(
  Class: { readonly prototype: T; readonly name: string },
  values: Partial<T> = {},
): Automocked<T> {
  const mocked: Record<string, unknown> = {};
  for (let proto: object | null = Class.prototype; proto !== null && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || name in mocked) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (typeof descriptor?.value !== 'function') continue;
      const label = `${Class.name}.${name}`;
      mocked[name] = mock.fn(() => {
        throw new Error(`${label} not mocked`);
      });
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return Object.assign(mocked, values) as T;
}

/** The mock function standing for `target[name]` (to inspect its calls or stub it once). */
export function mockOf<T, K extends MethodName<T>>(target: Automocked<T>, name: K): Mock<MethodOf<T, K>> {
  const fn = (target as Record<PropertyKey, unknown>)[name];
  // A node:test mock is a Proxy that answers `mock` through its get trap only (`in` does not see it).
  if (typeof fn !== 'function' || (fn as { mock?: unknown }).mock === undefined) {
    throw new TypeError(`${String(name)} is not an automocked method`);
  }
  return fn as Mock<MethodOf<T, K>>;
}

/** Makes `target[name]` run `implementation` on every call. */
export function stub<T, K extends MethodName<T>>(target: Automocked<T>, name: K, implementation: MethodOf<T, K>): void {
  mockOf(target, name).mock.mockImplementation(implementation);
}

/** Makes `target[name]` resolve `value` on every call. */
export function resolves<T, K extends MethodName<T>>(
  target: Automocked<T>,
  name: K,
  value: Awaited<ReturnType<MethodOf<T, K>>>,
): void {
  stub(target, name, (() => Promise.resolve(value)) as MethodOf<T, K>);
}

/** The arguments of every call `target[name]` received, in order. */
export function callsOf<T, K extends MethodName<T>>(target: Automocked<T>, name: K): Parameters<MethodOf<T, K>>[] {
  return mockOf(target, name).mock.calls.map((call) => call.arguments as Parameters<MethodOf<T, K>>);
}
