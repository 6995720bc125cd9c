// Child-process helper for the second-process lock test: opens the store at argv[2] with
// openStore, prints "locked" on its own line once the store is open, then holds it until it is
// killed (or until its stdin closes, so it cannot outlive a parent that died).
//
//   node test/support/hold-store.ts <database path>
import { openStore } from '../../storage/open-store.ts';

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: hold-store.ts <database path>\n');
  process.exit(2);
}

try {
  await openStore(path, { now: () => new Date() });
} catch (error: unknown) {
  process.stderr.write(`hold-store: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

process.stdout.write('locked\n'); // HOLD_STORE_LOCKED_LINE in child-processes.ts
// An open SQLite handle does not keep the event loop alive; a timer does, until we are killed.
const keepAlive = setInterval(() => undefined, 60_000);
process.stdin.on('end', () => {
  clearInterval(keepAlive);
  process.exit(0);
});
process.stdin.resume();
