import { currentLsn, slotState, sleep, waitForSlot, type BenchDb } from './env.ts';
import type { ConnectorChild } from './connector-child.ts';

/** Waits until a connector child streams from the slot and has caught up. */
export async function waitForStreaming(db: BenchDb, child: ConnectorChild, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const slot = db.config.CONNECTOR_SLOT_NAME;
  while (performance.now() < deadline) {
    if (child.child.exitCode !== null || child.child.signalCode !== null) throw new Error(`the connector exited early: ${child.output()}`);
    if ((await slotState(db.pool, slot)).active) {
      const left = deadline - performance.now();
      if ((await waitForSlot(db.pool, slot, await currentLsn(db.pool), left)) !== null) return;
      break;
    }
    await sleep(100);
  }
  throw new Error(`the connector did not start streaming within ${timeoutMs} ms: ${child.output()}`);
}
