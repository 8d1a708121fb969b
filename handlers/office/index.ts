import type { CommandSpec } from '../commands';

/**
 * Commands for office accounts (audience 'office'). Each feature keeps its commands in its own module
 * and lists them here; the command table, /trogiup and the Telegram menu pick them up from this list.
 */
export const OFFICE_COMMANDS: CommandSpec[] = [];
