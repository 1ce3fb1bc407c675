#!/usr/bin/env node
// `npx afenda …`: the operator's command line (apps/orchestrator/src/cli/afenda.ts), run from its
// TypeScript source through tsx, as the orchestrator itself runs.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/afenda.ts');
process.exitCode = await runCli(process.argv.slice(2));
