// Tests run on the compiled JS (built by `npm test` first), so worker entry points load exactly as
// they do from the CLI and from an installed package. MQLAB_DIST names another build folder.
import { defineConfig } from 'vitest/config';

const dist = process.env.MQLAB_DIST ?? 'dist';

export default defineConfig({
  test: {
    include: [`${dist}/{core,bench,reports,scripts}/**/*.test.js`],
    // vitest excludes **/dist/** by default; here dist/ is exactly what runs.
    exclude: ['**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: process.env.MQLAB_VITEST_JSON ? ['default', 'json'] : ['default'],
    ...(process.env.MQLAB_VITEST_JSON ? { outputFile: { json: process.env.MQLAB_VITEST_JSON } } : {}),
  },
});
