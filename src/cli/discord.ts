import type { Settings } from '../config.js';
import { registerCommands } from '../bots/discord/commands.js';
import { ExitCode } from './exit-codes.js';

/** `citebot discord register [--guild ID]`: registers /ask, /ingest, /sources and /forget. */
export async function discordRegisterCommand(settings: Settings, options: { guild?: string }): Promise<number> {
  const { applicationId, names } = await registerCommands(settings, options.guild);
  const where = options.guild
    ? `in guild ${options.guild} (available now)`
    : 'globally (Discord may take up to an hour to show them everywhere)';
  process.stdout.write(`Registered ${names.map((n) => `/${n}`).join(', ')} for application ${applicationId} ${where}.\n`);
  return ExitCode.ok;
}
