// A Stryker ignorer (stryker.config.mjs, `ignorers: ['log-text']`) for `npm run mutation`:
// leaves out the mutants that only change the text of a log line. The contract
// (docs/contract.md, "Starting and stopping the server", rule 2) asks that logs go
// to stderr and says nothing of their wording, so such a mutant is equivalent for a
// socket server by definition; running each would cost a whole run of the suite.
//
// Left out: the arguments of `process.stderr.write(...)`, of `new UsageError(...)`
// (whose message main() writes to stderr) and the USAGE text. Kept: everything in
// failToBind, whose stderr line is rule 4's "name the error on stderr", and every
// condition and statement around a log line (those are triaged one by one).
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const REASON = 'log text only (contract rule 2: logs go to stderr, their wording is free)';

function isStderrWrite(callee) {
  return (
    callee?.type === 'MemberExpression' &&
    callee.property?.name === 'write' &&
    callee.object?.type === 'MemberExpression' &&
    callee.object.property?.name === 'stderr' &&
    callee.object.object?.name === 'process'
  );
}

function insideFunctionNamed(path, name) {
  return path.findParent((parent) => parent.isFunctionDeclaration() && parent.node.id?.name === name) !== null;
}

const ignorer = {
  shouldIgnore(path) {
    const parent = path.parentPath;
    if (parent === null) return undefined;
    const isArgument = path.listKey === 'arguments';
    if (isArgument && parent.isCallExpression() && isStderrWrite(parent.node.callee) && !insideFunctionNamed(path, 'failToBind')) return REASON;
    if (isArgument && parent.isNewExpression() && parent.node.callee.type === 'Identifier' && parent.node.callee.name === 'UsageError') return REASON;
    if (path.key === 'init' && parent.isVariableDeclarator() && parent.node.id.type === 'Identifier' && parent.node.id.name === 'USAGE') return REASON;
    return undefined;
  },
};

// 'malformed-command-line' leaves out, to keep the run within its time budget, the
// server's checks of a command line that the harness never passes (an unknown or
// repeated flag, a missing value, a port out of range, a --root that is not a
// folder...): the contract defines the command line the harness gives and no
// behaviour for any other, so no scenario can kill these mutants, and each would
// cost a whole run of every server scenario. What is left out: each `if` whose only
// consequence is `throw new UsageError(...)`, and each block or catch clause that
// does nothing else.
function throwsUsageError(statement) {
  if (statement?.type === 'BlockStatement') return statement.body.length === 1 && throwsUsageError(statement.body[0]);
  return (
    statement?.type === 'ThrowStatement' &&
    statement.argument?.type === 'NewExpression' &&
    statement.argument.callee.type === 'Identifier' &&
    statement.argument.callee.name === 'UsageError'
  );
}

const COMMAND_LINE_REASON = 'a malformed command line: outside the contract, never passed by the harness (left out for time)';

const malformedCommandLine = {
  shouldIgnore(path) {
    if (path.isIfStatement() && path.node.alternate == null && throwsUsageError(path.node.consequent)) return COMMAND_LINE_REASON;
    if (path.isBlockStatement() && throwsUsageError(path.node)) return COMMAND_LINE_REASON;
    if (path.isCatchClause() && throwsUsageError(path.node.body)) return COMMAND_LINE_REASON;
    return undefined;
  },
};

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'log-text', ignorer),
  declareValuePlugin(PluginKind.Ignore, 'malformed-command-line', malformedCommandLine),
];
