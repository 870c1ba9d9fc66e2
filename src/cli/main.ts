import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { cliEnvFromProcessEnv, ConfigError, loadProcessEnvFile, packageVersion } from '../config/app-config';
import { ApiClient, CliError } from './api-client';
import { keys } from './commands/keys.command';
import { search, status, tail } from './commands/read.commands';
import { send } from './commands/send.command';
import { migrate, serve } from './commands/server.commands';
import { COMMON_OPTIONS, type Command } from './context';
import type { Io } from './output';

const COMMANDS: Command[] = [serve, migrate, keys, tail, search, send, status];

const GLOBAL_USAGE = `Usage: tracer <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

Client commands talk to a running Tracer: TRACER_URL (default http://localhost:$PORT) and TRACER_API_KEY,
or --url and --api-key. serve and migrate use the server's own configuration (DATABASE_URL, ...).
.env in the working directory (or TRACER_ENV_FILE) is read first; real environment variables win.

Every command takes --json (machine-readable output), --no-color, --help.
`;

/** Runs the CLI with these arguments and returns the exit code (serve never returns). */
export async function runCli(argv: string[]): Promise<number> {
  const write = (stream: NodeJS.WriteStream) => (s: string) => void stream.write(s);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(GLOBAL_USAGE);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`tracer: unknown command "${name}"\n\n${GLOBAL_USAGE}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`tracer ${name}: ${(e as Error).message}\n\nUsage: ${command.usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  loadProcessEnvFile();
  const env = cliEnvFromProcessEnv();
  const color = values['no-color'] ? false : values.color ? true : !env.noColor && Boolean(process.stdout.isTTY);
  const io: Io = { out: write(process.stdout), err: write(process.stderr), errIsTty: Boolean(process.stderr.isTTY), color };
  const url = ((values.url as string | undefined) ?? env.url).replace(/\/+$/, '');
  const apiKey = (values['api-key'] as string | undefined) ?? env.apiKey;
  return command.run({ io, values, positionals, json: Boolean(values.json), api: () => new ApiClient(url, apiKey) });
}

/** Entry point of `tracer` (bin/tracer.js). */
export function main(): void {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      const known = e instanceof CliError || e instanceof ConfigError;
      process.stderr.write(`tracer: ${known ? e.message : (e.stack ?? e.message)}\n`);
      process.exitCode = e instanceof CliError ? e.exitCode : 1;
    },
  );
}

if (require.main === module) main();
