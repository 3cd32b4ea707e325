import type { Settings } from '../config.js';
import { registerCommands } from '../bots/discord/commands.js';
import { ExitCode } from './exit-codes.js';

/** `citebot discord register [--guild ID]`: registers /ask, /ingest, /sources, /forget and the message menu entries. */
export async function discordRegisterCommand(settings: Settings, options: { guild?: string }): Promise<number> {
  const { applicationId, names, menus } = await registerCommands(settings, options.guild);
  const where = options.guild
    ? `in guild ${options.guild} (available now)`
    : 'globally (Discord may take up to an hour to show them everywhere)';
  const entries = [...names.map((n) => `/${n}`), ...menus.map((n) => `"${n}" (message menu)`)];
  process.stdout.write(`Registered ${entries.join(', ')} for application ${applicationId} ${where}.\n`);
  return ExitCode.ok;
}
