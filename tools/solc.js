#!/usr/bin/env node
// pmarket's command-line front end for solc-js (npm `solc`, WebAssembly).
//
// py-solc-x (and so ape-solidity) and forge drive a native `solc` binary. solc-js's own `solcjs`
// cannot stand in for it: it prints a banner before the JSON and rejects `--allow-paths`. This
// front end answers the two calls those tools make, exactly like the native binary:
//   solc --version                                   -> "Version: 0.8.30+commit.73712a01..."
//   solc --standard-json [--base-path P] [--include-path P]... [--allow-paths ...]  (stdin -> stdout)
// Imports are resolved against the base path and every include path, in that order.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

function parseArgs(argv) {
  const opts = { basePath: null, includePaths: [], standardJson: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, null];
    const value = () => (inline !== null ? inline : argv[++i]);
    switch (flag) {
      case '--version': opts.version = true; break;
      case '--standard-json': opts.standardJson = true; break;
      case '--base-path': opts.basePath = value(); break;
      case '--include-path': opts.includePaths.push(value()); break;
      case '--allow-paths': value(); break; // solc-js reads only through the callback below
      default:
        if (flag.startsWith('-')) {
          process.stderr.write(`solc (solc-js front end): unsupported option ${flag}\n`);
          process.exit(2);
        }
    }
  }
  return opts;
}

function findImport(opts) {
  const roots = [opts.basePath || process.cwd(), ...opts.includePaths];
  return (importPath) => {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : roots.map((root) => path.resolve(root, importPath));
    for (const candidate of candidates) {
      try {
        return { contents: fs.readFileSync(candidate, 'utf8') };
      } catch (_) { /* try the next root */ }
    }
    return { error: `File not found: ${importPath} (searched ${roots.join(', ')})` };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.version) {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return;
  }
  if (!opts.standardJson) {
    process.stderr.write('solc (solc-js front end): only --version and --standard-json are supported\n');
    process.exit(2);
  }
  const input = fs.readFileSync(0, 'utf8');
  process.stdout.write(solc.compile(input, { import: findImport(opts) }));
}

main();
