import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import type { CitebotCore } from '../../core.js';
import { CitebotError, oneLine } from '../../errors.js';
import { log } from '../../log.js';
import { createDiscordContext } from './discord-context.js';
import { discordError } from './discord-errors.js';
import { registerFeedbackListener } from './listeners/feedback-interaction.js';
import { registerInteractionListener } from './listeners/interaction-create.js';
import { registerMessageListener } from './listeners/message-create.js';
import { registerMessageMenuListener } from './listeners/message-menu.js';
import { registerMessageSync } from './listeners/message-sync.js';
import { catchUpDiscordConversations } from './conversation-run.js';
import { registerIngestJobs } from './ingest-run.js';

export interface DiscordBot {
  client: Client<true>;
  /** The catch-up of followed channels started at connect (resolves when done; never rejects). */
  catchUp: Promise<unknown>;
  stop(): Promise<void>;
}

/** A setting or portal switch is wrong: retrying cannot help until the operator fixes it. */
export class DiscordSetupError extends CitebotError {
  constructor(reason: string, fix: string) {
    super('platform_rejected', reason, { fix, retryable: false });
  }
}

const missingIntent = () =>
  new DiscordSetupError(
    'Discord refused the connection: the Message Content intent is not enabled for this bot',
    'Developer Portal → your application → Bot → Privileged Gateway Intents → enable "Message Content Intent", then restart citebot (README: "Discord").',
  );

export const MISSING_INTENT_MESSAGE = missingIntent().message;

/** Discord closes the gateway with 4014 when the bot asks for a privileged intent it was not granted. */
function isDisallowedIntents(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e?.code === 4014 || e?.code === 'DisallowedIntents' || /disallowed intent/iu.test(String(e?.message ?? ''));
}

export function createDiscordClient(core: CitebotCore): Client {
  return new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.DirectMessages,
    ],
    // DM channels are not cached before their first message; without the partial, DMs are dropped.
    partials: [Partials.Channel, Partials.Message],
    rest: { api: core.settings.DISCORD_API_URL },
    // Nothing citebot sends may ping, even if a code path forgets to say so.
    allowedMentions: { parse: [], repliedUser: false },
  });
}

/** Logs in, wires the listeners, and resolves once the gateway session is ready. */
export async function startDiscordBot(core: CitebotCore): Promise<DiscordBot> {
  if (!core.settings.DISCORD_TOKEN) throw new DiscordSetupError('DISCORD_TOKEN is not set', 'set it to your bot token (README: "Discord")');
  const client = createDiscordClient(core);
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  client.on(Events.Error, (error) => log.warn(`discord: ${oneLine(error)}`));
  try {
    await client.login(core.settings.DISCORD_TOKEN);
  } catch (error) {
    await client.destroy();
    if (isDisallowedIntents(error)) throw missingIntent();
    throw discordError(error, core.settings.DISCORD_API_URL);
  }
  const readyClient = await ready;
  const context = createDiscordContext(core, readyClient.user.id);
  registerMessageListener(readyClient, context);
  registerInteractionListener(readyClient, context);
  registerFeedbackListener(readyClient, context);
  registerMessageMenuListener(readyClient, context);
  registerMessageSync(readyClient, context);
  registerIngestJobs(readyClient, context);
  log.info(`discord: connected as ${readyClient.user.tag} in ${readyClient.guilds.cache.size} guild(s)`);
  // What was said while citebot was away: read from each followed channel's cursor.
  const catchUp = catchUpDiscordConversations(context, async (id) => {
    const channel = await readyClient.channels.fetch(id);
    return channel?.isTextBased() ? channel : undefined;
  }).catch((error: unknown) => log.warn(`discord: conversation catch-up failed: ${oneLine(error)}`));
  return {
    client: readyClient,
    catchUp,
    stop: async () => {
      await catchUp;
      await context.follower?.close();
      await readyClient.destroy();
    },
  };
}
