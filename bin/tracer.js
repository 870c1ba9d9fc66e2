#!/usr/bin/env node
// The `tracer` command (package.json "bin"): runs the built CLI in dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!existsSync(cli)) {
  process.stderr.write(`tracer: ${cli} is missing; build Tracer first (npm run build)\n`);
  process.exit(1);
}
require(cli).main();
