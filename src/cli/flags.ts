import { type Command, Option } from 'commander';

/**
 * Command-line flags declared once, as a table: each entry gives the flag's spelling, help text, parser
 * or choices, default and role. Commander's options (`addFlags`), the typed options object
 * (`OptionsOf`) and the rules that depend on a flag's role (what `train --resume` may change) are all
 * computed from the table, so a new flag is one new entry.
 */

/**
 * What a flag is part of. `recipe`: what the run computes (network, optimizer, schedule, seed, split),
 * fixed for the run's life. `data`: where the data is read from (a resumed run may point elsewhere; its
 * rows are checked). `run`: how this invocation runs and reports (epochs to reach, outputs, backend).
 */
export type FlagRole = 'recipe' | 'data' | 'run';

/**
 * One flag. A flag with `parse` or `choices` takes an argument and has that value; one with neither is a
 * switch (boolean). Its key in the table is commander's name for it (`--batch-size` → `batchSize`).
 */
export interface Flag<T = unknown> {
  /** commander's spelling: '--batch-size <n>', or '--json' for a switch. */
  flag: string;
  /** The help text. */
  description: string;
  role: FlagRole;
  /** The argument's text → the value; throws commander's InvalidArgumentError (see parse.ts). */
  parse?: (text: string) => T;
  /** The allowed values, when the value is one of a list (help lists them). */
  choices?: readonly T[];
  /** Value when the flag is not given; without one, the option is absent (undefined). */
  default?: T;
  /** How help shows the default when it is not a string or number ('64,32' for [64, 32]). */
  defaultText?: string;
  /** Left out of --help (test hooks). */
  hidden?: boolean;
}

/** A command's flags, keyed by their option names. */
export type FlagTable = Record<string, Flag>;

/** The value a flag gives: its parser's result, one of its choices, or a boolean for a switch. */
export type FlagValue<F> = F extends { parse: (text: string) => infer T }
  ? T
  : F extends { choices: readonly (infer T)[] }
    ? T
    : boolean;

type WithDefault<Table> = { [K in keyof Table]: Table[K] extends { default: unknown } ? K : never }[keyof Table];

/**
 * The options object commander produces for a table: flags with a default are always present, the
 * others optional. (An intersection, flattened so editors show one object.)
 */
export type OptionsOf<Table extends FlagTable> = Flatten<
  { -readonly [K in WithDefault<Table>]: FlagValue<Table[K]> } & {
    -readonly [K in Exclude<keyof Table, WithDefault<Table>>]?: FlagValue<Table[K]>;
  }
>;
type Flatten<T> = { [K in keyof T]: T[K] };

/** The table's keys whose flags have one of the given roles. */
export function flagsOfRole(table: FlagTable, ...roles: FlagRole[]): string[] {
  return Object.entries(table)
    .filter(([, flag]) => roles.includes(flag.role))
    .map(([key]) => key);
}

/** Adds every flag of the table to the command, in the table's order (the order --help lists them). */
export function addFlags(command: Command, table: FlagTable): Command {
  for (const [key, spec] of Object.entries(table)) {
    const option = new Option(spec.flag, spec.description);
    if (option.attributeName() !== key)
      throw new Error(`internal: flag ${spec.flag} is filed under '${key}', commander calls it '${option.attributeName()}'`);
    // choices() installs its own parser, which checks the value is one of them: one or the other.
    if (spec.choices) option.choices(spec.choices as string[]);
    else if (spec.parse) option.argParser(spec.parse);
    if (spec.default !== undefined) option.default(spec.default, spec.defaultText);
    if (spec.hidden) option.hideHelp();
    command.addOption(option);
  }
  return command;
}

/** `batchSize` → `batch-size`: the flag's spelling of an option name. */
export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
