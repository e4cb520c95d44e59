import { Hsm, loadHsmConfig, type HsmOpenOptions } from '#ingrain/crypto';

/** Opens the HSM configured by the INGRAIN_HSM_* variables, runs `work`, always closes. */
export async function withHsm<T>(
  env: Readonly<Record<string, string | undefined>>,
  options: HsmOpenOptions,
  work: (hsm: Hsm) => Promise<T>,
): Promise<T> {
  const hsm = await Hsm.open(loadHsmConfig(env), options);
  try {
    return await work(hsm);
  } finally {
    await hsm.close();
  }
}
