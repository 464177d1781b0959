// Preloaded into a service process by test/role-modules.test.ts: appends the URL of every module the
// process loads (ESM imports and CommonJS requires alike: synchronous hooks see both) to $MODULE_LOG.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.MODULE_LOG;
if (file) {
  registerHooks({
    load(url, context, nextLoad) {
      appendFileSync(file, `${url}\n`);
      return nextLoad(url, context);
    },
  });
}
