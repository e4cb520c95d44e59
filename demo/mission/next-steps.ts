import { join } from 'node:path';
import { binPath } from '../../testkit/stack/index.js';
import { displayPath } from './demo-dir.js';
import { section } from './summary.js';

/** Where the run left what a newcomer may want to look at. */
export interface DemoPlaces {
  readonly dir: string;
  readonly apiUrl: string;
  readonly mesTokenFile: string;
  readonly auditorTokenFile: string;
  readonly bundlePath: string;
  readonly publicKeysDir: string;
  readonly logOrigin: string;
  readonly workOrderId: string;
  /** A leaf of this run, for the bundle example. */
  readonly leafIndex: number | undefined;
  /** True when the API stays up after the summary (--keep). */
  readonly keep: boolean;
}

function curl(tokenFile: string, url: string): string {
  return `curl -s -H "Authorization: Bearer $(cat ${displayPath(tokenFile)})" '${url}'`;
}

function verifyCommand(places: DemoPlaces): string {
  const key = (name: string) => displayPath(join(places.publicKeysDir, name));
  return [
    `${displayPath(binPath('ingrain-verify'))} --origin ${places.logOrigin} \\`,
    `    --attestation-key ${key('ingrain-attestation.pub.pem')} \\`,
    `    --log-key ${key('ingrain-log.pub.pem')} --ca ${key('ca.pem')} \\`,
    `    ${displayPath(places.bundlePath)}`,
  ].join('\n');
}

/** The closing section: files, the API, example calls, the offline verifier, docs. */
export function renderNextSteps(places: DemoPlaces): string {
  const api = places.apiUrl;
  const mes = places.mesTokenFile;
  const auditor = places.auditorTokenFile;
  const leaf = places.leafIndex ?? 0;
  return section(
    'Where to look next',
    [
      `stack directory  ${displayPath(places.dir)}  (logs/: what the stations, the simulator and the API wrote)`,
      `bundle file      ${displayPath(places.bundlePath)}  (one verification bundle per device)`,
      `token files      ${displayPath(mes)} (MES), ${displayPath(auditor)} (auditor), mode 0600`,
      `API docs         ${api}/docs  ${places.keep ? '(running until Ctrl-C)' : '(stopped now: run `npm run demo -- --keep` to browse it)'}`,
      '',
      `Ask the API as the MES and as the auditor${places.keep ? '' : ' (with --keep)'}:`,
      `  ${curl(mes, `${api}/v1/work-orders/${places.workOrderId}`)}`,
      `  ${curl(mes, `${api}/v1/devices?workOrderId=${places.workOrderId}&limit=2`)}`,
      `  ${curl(auditor, `${api}/v1/attestations/${leaf}/bundle`)}`,
      `  ${curl(auditor, `${api}/v1/log/checkpoint`)}`,
      '',
      'Verify the bundles again by hand, offline (no API needed):',
      ...verifyCommand(places)
        .split('\n')
        .map((line) => `  ${line}`),
      '',
      'Read on: docs/demo.md (this output explained), docs/api.md, docs/station.md, docs/verifier.md.',
    ].join('\n'),
  );
}
