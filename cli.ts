import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config';
import { openDatabase, closeDatabase, inTransaction } from './storage/db';
import { seedDemo } from './storage/demo-seed';
import { createInvite } from './storage/repositories/invites';
import { findUnitByCode } from './storage/repositories/units';
import { displayInviteCode } from './domain/invite-code';
import { formatShortDate } from './domain/periods';

/**
 * The office's command line: `npm run cli -- <command> [options]`. Each command opens the configured
 * database, does one job and prints what it did.
 */
type CliCommand = { usage: string; run: (args: string[]) => Promise<void> | void };

const commands: Record<string, CliCommand> = {
  demo: {
    usage: 'demo                      seed the demo province (idempotent) and print the invite codes',
    run: () => {
      const config = loadConfig();
      const db = openDatabase(config.databasePath);
      const seed = seedDemo(db, new Date(), config.calendar);
      console.log('Unit code\tInvite code\tUnit name');
      for (const { unit, invite } of seed.units) console.log(`${unit.code}\t${displayInviteCode(invite.code)}\t${unit.name}`);
      console.log(`OFFICE\t${displayInviteCode(seed.officeInvite.code)}\tVăn phòng Sở (office account)`);
      for (const p of seed.openPeriods) console.log(`Open period: ${p.id} (${p.title}), deadline ${formatShortDate(p.deadline, config.timeZone)}`);
      closeDatabase(db);
    },
  },
  invite: {
    usage: 'invite --unit <code>      print a fresh invite code for one unit',
    run: (args) => {
      const { values } = parseArgs({ args, options: { unit: { type: 'string' }, days: { type: 'string' }, uses: { type: 'string' } } });
      if (!values.unit) throw new UsageError('invite needs --unit <unit code>');
      const config = loadConfig();
      const db = openDatabase(config.databasePath);
      try {
        const invite = inTransaction(db, (tx) => {
          const unit = findUnitByCode(tx, values.unit!);
          if (!unit) throw new UsageError(`no unit with code "${values.unit}"`);
          if (!unit.active) throw new UsageError(`unit "${values.unit}" is inactive`);
          return createInvite(tx, {
            unitId: unit.id,
            role: 'contact',
            now: new Date(),
            ttlDays: values.days ? Number(values.days) : undefined,
            maxUses: values.uses ? Number(values.uses) : undefined,
          });
        });
        console.log(`${values.unit}\t${displayInviteCode(invite.code)}\texpires ${invite.expiresAt?.toISOString() ?? 'never'}\tuses ${invite.maxUses}`);
      } finally {
        closeDatabase(db);
      }
    },
  },
};

export function registerCliCommand(name: string, cmd: CliCommand): void {
  commands[name] = cmd;
}

class UsageError extends Error {}

function usage(): string {
  return ['Usage: npm run cli -- <command> [options]', '', 'Commands:', ...Object.values(commands).map((c) => `  ${c.usage}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = name ? commands[name] : undefined;
  if (!cmd) {
    console.error(name ? `Unknown command "${name}".\n` : '', usage());
    return 2;
  }
  try {
    await cmd.run(rest);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
