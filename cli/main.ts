#!/usr/bin/env node
import { main } from './app.js';
import { EXIT } from './command.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = EXIT.failed;
  },
);
