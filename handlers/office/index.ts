import type { CommandSpec } from '../commands';
import { progressCommand, reportCommand } from './report';
import { UNIT_COMMANDS } from './units';
import { EXPORT_COMMANDS } from './export';
import { periodsCommand } from './periods';
import { remindCommand } from './reminders';
import { PARTICULARS_COMMANDS } from './particulars';
import { REVIEW_COMMANDS } from './review';

/**
 * Commands for office accounts (audience 'office'). Each feature keeps its commands in its own module
 * and lists them here; the command table, /trogiup and the Telegram menu pick them up from this list.
 */
export const OFFICE_COMMANDS: CommandSpec[] = [
  reportCommand,
  ...PARTICULARS_COMMANDS,
  progressCommand,
  ...REVIEW_COMMANDS,
  ...UNIT_COMMANDS,
  ...EXPORT_COMMANDS,
  remindCommand,
  periodsCommand,
];
