#!/usr/bin/env node
// The installed `strata` command (package.json "bin"): plain JavaScript, so that Node never loads its
// TypeScript stripper when every module of the CLI is already in the compile cache. bin/strata.ts is the
// CLI itself (`node bin/strata.ts` runs it too, one type-stripped entry file slower).
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./strata.ts');
