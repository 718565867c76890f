'use strict';
// Lets Node require the harness's TypeScript: the CLI itself, and each of Cucumber's
// parallel workers, which load this as a support module before the step definitions.
//
// Type checking happens in `npm test`; here each file is only transpiled, and the
// result is cached on disk by content, so a start-up with nothing changed neither
// loads the TypeScript compiler (the largest part of start-up otherwise) nor compiles
// anything. ts-node 10 keeps no such cache, hence this hook. Where a hook for .ts is
// already installed (ts-node in the project's own tests), that one is kept.
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');

const projectRoot = join(__dirname, '..');

function cacheDir() {
  const base = process.env.SOCKSPEC_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sockspec');
  return join(base, 'typescript');
}

let compiler;
/** The compiler and the project's options, loaded only when a file is not in the cache. */
function loadCompiler() {
  if (!compiler) {
    const ts = require('typescript');
    const config = ts.readConfigFile(join(projectRoot, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, projectRoot);
    // Inline source maps keep stack traces and coverage pointing at the TypeScript lines.
    compiler = { ts, options: { ...options, sourceMap: false, inlineSourceMap: true, inlineSources: true } };
  }
  return compiler;
}

// What a cached file depends on besides its source: the compiler's version and the project's options.
const cacheSalt = readFileSync(join(projectRoot, 'node_modules', 'typescript', 'package.json'), 'utf8').match(/"version":\s*"([^"]+)"/)[1] + readFileSync(join(projectRoot, 'tsconfig.json'), 'utf8');

function transpile(source, filename) {
  const key = createHash('sha256').update(cacheSalt).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = join(cacheDir(), `${key}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // Not compiled yet: compile below.
  }
  const { ts, options } = loadCompiler();
  const output = ts.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
  try {
    mkdirSync(cacheDir(), { recursive: true });
    // Written aside and renamed, so a parallel worker never reads half a file.
    const partial = `${cached}.${process.pid}.tmp`;
    writeFileSync(partial, output);
    renameSync(partial, cached);
  } catch {
    // An unwritable cache only costs the next start-up the compile.
  }
  return output;
}

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = function compileTypeScript(module, filename) {
    module._compile(transpile(readFileSync(filename, 'utf8'), filename), filename);
  };
}
