// `npm start` on a terminal: every process's output as one readable line per event. The
// orchestrator and the development identity provider log JSON (pino); Next.js and Turborepo
// print text. JSON lines become "12:03:04 INFO  orchestrator  request completed  GET
// /api/v1/tenants 200 12 ms"; text lines get the process's name in front. LOG_FORMAT=json (or a
// non-terminal stdout) passes every line through as it is, for log collectors.

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS = {
  WARN: '\x1b[33m',
  ERROR: '\x1b[31m',
  FATAL: '\x1b[31m',
  DEBUG: '\x1b[2m',
  TRACE: '\x1b[2m',
};
const RESET = '\x1b[0m';
// What pino puts on every line, said already by the columns (or noise on a terminal).
const SKIP = new Set([
  'level',
  'time',
  'msg',
  'service',
  'pid',
  'hostname',
  'v',
  'req',
  'res',
  'reqId',
  'requestId',
  'responseTime',
  'err',
]);

const clock = (time) => {
  const d = typeof time === 'number' || typeof time === 'string' ? new Date(time) : new Date();
  return Number.isNaN(d.getTime()) ? '--:--:--' : d.toTimeString().slice(0, 8);
};

const short = (v) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
};

/**
 * One line of a process's output, for people. `name` is the process ("orchestrator", "shell",
 * ...); `color` adds ANSI colours for levels above INFO.
 */
export function formatLine(line, name, { color = false } = {}) {
  const text = line.replace(/\s+$/, '');
  if (!text) return null;
  let entry;
  if (text.startsWith('{')) {
    try {
      entry = JSON.parse(text);
    } catch {
      entry = undefined;
    }
  }
  const who = name.padEnd(17);
  if (!entry || typeof entry !== 'object') return `${clock()} ${''.padEnd(5)} ${who} ${text}`;
  const level = LEVELS[entry.level] ?? String(entry.level ?? 'INFO').toUpperCase();
  const parts = [String(entry.msg ?? '')];
  if (entry.req?.method) parts.push(`${entry.req.method} ${entry.req.path ?? entry.req.url ?? ''}`);
  if (entry.res?.statusCode) parts.push(String(entry.res.statusCode));
  if (typeof entry.responseTime === 'number') parts.push(`${Math.round(entry.responseTime)} ms`);
  for (const [key, value] of Object.entries(entry))
    if (!SKIP.has(key) && value !== undefined && value !== null)
      parts.push(`${key}=${short(value)}`);
  if (entry.err) parts.push(`error: ${short(entry.err.message ?? entry.err)}`);
  const out = `${clock(entry.time)} ${level.padEnd(5)} ${who} ${parts.filter(Boolean).join('  ')}`;
  return color && COLORS[level] ? `${COLORS[level]}${out}${RESET}` : out;
}

/** Whether output is for people: LOG_FORMAT=pretty, or unset on a terminal. */
export function prettyLogs(env = process.env, isTTY = process.stdout.isTTY) {
  if (env.LOG_FORMAT === 'json') return false;
  if (env.LOG_FORMAT === 'pretty') return true;
  return Boolean(isTTY);
}
