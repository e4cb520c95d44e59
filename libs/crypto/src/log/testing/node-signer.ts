// TEST DOUBLE for the log's unit tests: F's software signer, counting how often it signs.
import { SoftwareSignerForTests } from '../../testing/index.js';

/** A software Signer (tests only) that records how many signatures it made. */
export class NodeTestSigner extends SoftwareSignerForTests {
  signCount = 0;

  override sign(message: Uint8Array): Promise<Uint8Array> {
    this.signCount++;
    return super.sign(message);
  }
}
