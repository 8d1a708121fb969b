import type { CliCommand } from './context';
import { demoCommand, inviteCommand } from './demo';

/** The CLI's command table: each feature adds its commands in its own module and lists them here. */
export const CLI_COMMANDS: Record<string, CliCommand> = {
  demo: demoCommand,
  invite: inviteCommand,
};
