import type { CliCommand } from './context';
import { demoCommand, inviteCommand } from './demo';
import { reportCliCommand } from './report';
import { unitsCommand } from './units';
import { invitesCommand } from './invites';
import { officeCommand } from './office';
import { formCommand } from './form';
import { exportCommand } from './export';
import { submissionsCommand } from './submissions';
import { backupCommand, restoreCommand } from './backup';
import { particularsCliCommand } from './particulars';
import { reviewCliCommand } from './review';

/** The CLI's command table: each feature adds its commands in its own module and lists them here. */
export const CLI_COMMANDS: Record<string, CliCommand> = {
  demo: demoCommand,
  invite: inviteCommand,
  report: reportCliCommand,
  'report-settings': particularsCliCommand,
  review: reviewCliCommand,
  units: unitsCommand,
  invites: invitesCommand,
  office: officeCommand,
  form: formCommand,
  export: exportCommand,
  submissions: submissionsCommand,
  backup: backupCommand,
  restore: restoreCommand,
};
