// The peer of bench/startup.bench.ts: the smallest useful grammY bot (long polling, answers every
// message), plain JavaScript run by plain node, as any grammY bot starts.
import { Bot } from 'grammy';

const bot = new Bot(process.env.TELEGRAM_BOT_TOKEN, { client: { apiRoot: process.env.TELEGRAM_API_ROOT } });
bot.on('message', (ctx) => ctx.reply('ok'));
const stop = () => bot.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
await bot.start();
