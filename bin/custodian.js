#!/usr/bin/env node
// Entry point of the `custodian` command: runs the compiled CLI (npm run build makes dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  console.error('custodian: 未构建 / not built yet: run `npm run build` first');
  process.exit(1);
}
const { main } = await import(pathToFileURL(entry).href);
await main(process.argv);
