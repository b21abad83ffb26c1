// Removes dist/ before a build so that files of deleted sources never linger there.
import { rmSync } from 'node:fs';
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
