#!/usr/bin/env node
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { ScratchnetError } from '../errors.js';
import { evaluateCommand } from './evaluate.js';
import { exportCommand } from './export.js';
import { fail } from './fail.js';
import { importCommand } from './import.js';
import { plotCommand } from './plot.js';
import { predictCommand } from './predict.js';
import { summaryCommand } from './summary.js';
import { trainCommand } from './train.js';

/**
 * `scratchnet`: the command line. Each command lives in its own file and only calls the library;
 * this file wires them together and turns a user's mistake (ScratchnetError, a bad option) into one
 * line on stderr with exit status 1. Any other error is a bug and shows its stack trace.
 */
export function program(): Command {
  const require = createRequire(import.meta.url);
  const { version } = require('../../../package.json') as { version: string };
  const root = new Command('scratchnet')
    .description('Neural networks from scratch: train, evaluate, inspect and use digit classifiers.')
    .version(version, '-V, --version')
    .showSuggestionAfterError();
  for (const command of [
    trainCommand(),
    evaluateCommand(),
    predictCommand(),
    summaryCommand(),
    plotCommand(),
    exportCommand(),
    importCommand(),
  ])
    root.addCommand(command);
  for (const command of allCommands(root)) {
    command.exitOverride().configureOutput({
      outputError: (text, write) => write(oneLine(text)),
    });
  }
  return root;
}

/** A command and all its subcommands, at any depth (`plot` has its own). */
function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

export async function main(argv: string[]): Promise<void> {
  const root = program();
  try {
    await root.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode; // commander already printed the one-line message (or the help)
    } else if (error instanceof ScratchnetError) {
      fail(error.message);
    } else {
      throw error;
    }
  }
}

// `scratchnet … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
await main(process.argv);

/**
 * commander's error in scratchnet's form: `scratchnet: …` on one line, its suggestion folded in
 * (`unknown option '--epoch' (did you mean --epochs?)`), so every mistake is one line on stderr.
 */
function oneLine(text: string): string {
  if (!text.startsWith('error: ')) return text;
  const folded = text
    .slice('error: '.length)
    .trimEnd()
    .replace(/\n\(Did you mean (.*)\?\)$/, ' (did you mean $1?)');
  return `scratchnet: ${folded.replace(/\n/g, ' ')}\n`;
}
