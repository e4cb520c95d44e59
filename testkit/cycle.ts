import {
  BootloaderClient,
  getProfile,
  type CycleResult,
  type OtpImage,
  runProvisioningCycle,
  SerialTransport,
} from '#ingrain/otp';

/** Runs one provisioning cycle over a real serial port (pty) with the real serialport binding. */
export async function runCycleOnPort(
  port: string,
  target: OtpImage,
  options: { dryRun?: boolean } = {},
): Promise<CycleResult> {
  const transport = await SerialTransport.open({ path: port, baudRate: 115_200 });
  try {
    const client = new BootloaderClient(transport, { baudRate: 115_200, replyMarginMs: 150 });
    return await runProvisioningCycle(client, { profile: getProfile(target.family), target, dryRun: options.dryRun });
  } finally {
    await transport.close();
  }
}
