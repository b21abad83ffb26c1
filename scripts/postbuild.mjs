// Makes the compiled CLI executable, so `npx mqlab` runs it straight from a fresh build.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/scripts/mqlab.js', import.meta.url), 0o755);
