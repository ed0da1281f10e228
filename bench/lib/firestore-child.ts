/** Child process of {@link startFirestoreProcess}: prints `host:port`, stops when stdin closes. */
import { startFirestoreEmulator } from '../../shared/lineage/emulator.js';

const emulator = await startFirestoreEmulator();
process.stdout.write(`${emulator.host}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  emulator.stop();
  process.exit(0);
});
