/**
 * The peer of bench/answers.bench.ts: a bare grammY echo bot on the same grammY version as the real bot,
 * long-polling TELEGRAM_API_ROOT with grammY's runner (the real bot polls with its own getUpdates loop, which
 * stores each batch before the next call confirms it). It answers every text with the same text; nothing else.
 * Plain JavaScript run by plain node, as the real bot runs from its build.
 */
import { Bot } from 'grammy';
import { run } from '@grammyjs/runner';

const bot = new Bot(process.env.TELEGRAM_BOT_TOKEN ?? '', { client: { apiRoot: process.env.TELEGRAM_API_ROOT ?? '' } });
bot.on('message:text', (ctx) => ctx.reply(ctx.message.text));
const runner = run(bot);
const stop = () => void runner.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
