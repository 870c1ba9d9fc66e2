// Lets a child process run the TypeScript sources directly (node -r ./test/helpers/ts-register.js x.ts),
// compiled on the fly by @swc/core with the same settings as Jest. Used by tests that need a second process.
const fs = require('node:fs');
const swc = require('@swc/core');
require.extensions['.ts'] = function (module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
