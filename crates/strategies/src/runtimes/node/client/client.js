// waitbench's reference Node.js client: it speaks the client protocol, version 1
// (docs/client-protocol.md), with Node's own HTTP clients and no npm package.
// waitbench decides when each request leaves; this program only sends, and reports each
// request's times on process.hrtime.bigint(), Node's monotonic clock in nanoseconds.
//
// Patterns, named by the first argument:
//
//   node-fetch  the built-in fetch (undici's global dispatcher), one promise per ticket,
//               so C requests in flight on one event loop.
//   node-http   http.request on one keep-alive http.Agent with maxSockets C (and
//               maxFreeSockets C, or the option idle_per_host; "library" keeps Node's
//               default of 256).
//
// Options (the job's "options" object, every key optional): idle_per_host (node-http).
// Any other key, or a cpu_work_ns above 0, makes the client write "fail".
'use strict';

const http = require('node:http');
const readline = require('node:readline');

const PATTERNS = ['node-fetch', 'node-http'];
const pattern = process.argv[2];
// --bare: the baseline of the recording's cost (see the end of main).
const bare = process.argv.length === 4 && process.argv[3] === '--bare';
if ((process.argv.length !== 3 && !bare) || !PATTERNS.includes(pattern)) {
  process.stderr.write(`usage: client.js ${PATTERNS.join('|')} [--bare] (speaks waitbench's client protocol on stdin/stdout)\n`);
  process.exit(2);
}

// Lines written in one turn of the event loop leave in one write, before the loop
// waits again (setImmediate runs after the turn's I/O callbacks, so the records of
// every response that turn read go together): the protocol asks for a flush before the
// client waits for a ticket.
let pending = '';
function say(line) {
  if (pending === '') setImmediate(flush);
  pending += line + '\n';
}
function flush() {
  const text = pending;
  pending = '';
  process.stdout.write(text);
}
function fail(reason) {
  process.stdout.write(`fail ${String(reason).replace(/\n/g, ' ')}\n`, () => process.exit(1));
}

const now = () => process.hrtime.bigint();

// The protocol's class of a failed request: `reason` is what ended it on our side
// ('timeout', 'cancelled', 'connect'), else the error's own code.
function outcome(error, reason, bodyStarted) {
  if (reason) return reason;
  const code = (error && error.cause && error.cause.code) || (error && error.code) || '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'].includes(code)) return 'connect';
  if (['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'].includes(code)) return 'timeout';
  if (['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code)) return 'reset';
  if (error && /socket hang up|other side closed|aborted/i.test(String(error.message))) return 'reset';
  return bodyStarted ? 'body' : 'other';
}

function main(job) {
  if (job.protocol !== 1) return fail(`unsupported protocol ${job.protocol}`);
  const c = job.concurrency;
  if (!Array.isArray(job.urls) || job.urls.length === 0 || !(c >= 1)) {
    return fail('the job needs at least one url and a concurrency of 1 or more');
  }
  let idle = c;
  let idleText = 'sized (C)';
  for (const [key, value] of Object.entries(job.options || {})) {
    if (key === 'idle_per_host' && pattern === 'node-http' && Number.isInteger(value) && value >= 0) {
      idle = value;
      idleText = String(value);
    } else if (key === 'idle_per_host' && (value === 'sized' || value === 'concurrency')) {
      // the default
    } else if (key === 'idle_per_host' && value === 'library' && pattern === 'node-http') {
      idle = undefined;
      idleText = "library (Node's default, 256)";
    } else if ((key === 'cpu_work_ns' && value === 0) || (key === 'ticker' && value === false)) {
      // nothing to do
    } else {
      return fail(`option ${key} = ${JSON.stringify(value)} is not supported by ${pattern}`);
    }
  }
  // The baseline of the recording's cost: the job's batch sent by the same pattern with
  // C in flight and nothing reported, no tickets read and no lines written; it prints
  // "bare REQUESTS SECONDS CPU_NS", the process's CPU time over the loop.
  let bareCpu = null;
  let bareStart = 0n;
  if (bare) {
    job.self_paced = true;
    job.load = { kind: 'batch', requests: job.load.requests };
  }
  const method = job.request.method;
  const headers = Object.fromEntries(job.request.headers);
  const body = Buffer.from(job.request.body_base64 || '', 'base64');
  const requestMs = job.timeouts.request_s * 1000;
  const connectMs = job.timeouts.connect_s * 1000;
  let messages = job.error_messages || 0;
  let stopped = false;
  // Requests in flight, by index, each with the function that aborts it.
  const inFlight = new Map();
  let onIdle = null;

  function report(index, sent, error, status, reason, bodyStarted) {
    const ended = now();
    inFlight.delete(index);
    if (bare) {
      // nothing reported
    } else if (error) {
      const kind = outcome(error, reason, bodyStarted);
      say(`r ${index} ${sent} ${ended} ${kind} 0`);
      if (messages-- > 0) {
        // fetch says only "fetch failed"; the reason is its cause's.
        const text = error.cause ? `${error.message}: ${error.cause.message || error.cause}` : (error.message || error);
        say(`message ${kind} ${String(text).replace(/\n/g, ' ')}`);
      }
    } else {
      say(`r ${index} ${sent} ${ended} http ${status}`);
    }
    if (selfPaced) selfPaced.next();
    if (inFlight.size === 0 && onIdle) onIdle();
  }

  let send;
  let info;
  if (pattern === 'node-fetch') {
    const init = { method, headers, body: body.length > 0 ? body : undefined };
    info = { pattern: 'a fetch promise per request on one event loop', dispatcher: "undici's global Agent (Node's default)" };
    send = (index) => {
      const controller = new AbortController();
      let reason = null;
      const timer = setTimeout(() => { reason = 'timeout'; controller.abort(); }, requestMs);
      inFlight.set(index, () => { reason = 'cancelled'; controller.abort(); });
      let bodyStarted = false;
      const sent = now();
      fetch(job.urls[index % job.urls.length], { ...init, signal: controller.signal })
        .then((response) => {
          bodyStarted = true;
          return response.arrayBuffer().then(() => response.status);
        })
        .then(
          (status) => { clearTimeout(timer); report(index, sent, null, status); },
          (error) => { clearTimeout(timer); report(index, sent, error, 0, reason, bodyStarted); },
        );
    };
  } else {
    const agent = new http.Agent({ keepAlive: true, maxSockets: c, maxFreeSockets: idle });
    info = { pattern: 'http.request per request on one event loop', agent: `keepAlive, maxSockets ${c}, maxFreeSockets ${idleText}` };
    const targets = job.urls.map((url) => new URL(url));
    send = (index) => {
      let reason = null;
      let bodyStarted = false;
      let finished = false;
      const sent = now();
      const end = (error, status) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        report(index, sent, error, status, reason, bodyStarted);
      };
      const request = http.request(targets[index % targets.length], { method, headers, agent }, (response) => {
        bodyStarted = true;
        response.on('data', () => {});
        response.on('end', () => end(null, response.statusCode));
        response.on('error', (error) => end(error));
        response.on('aborted', () => end(new Error('response aborted')));
      });
      const abort = (why) => { reason = why; request.destroy(new Error(why === 'timeout' ? `no answer within ${requestMs} ms` : 'stopped')); };
      const timer = setTimeout(() => abort('timeout'), requestMs);
      inFlight.set(index, () => abort('cancelled'));
      request.on('socket', (socket) => {
        if (!socket.connecting) return;
        const connectTimer = setTimeout(() => abort('connect'), connectMs);
        socket.once('connect', () => clearTimeout(connectTimer));
        socket.once('close', () => clearTimeout(connectTimer));
      });
      request.on('error', (error) => end(error));
      request.end(body.length > 0 ? body : undefined);
    };
  }

  // Self-paced mode: the client numbers its own requests and keeps C in flight.
  let selfPaced = null;
  if (job.self_paced) {
    const limit = job.load.kind === 'batch' ? job.load.requests : Infinity;
    let nextIndex = 0;
    let ended = false;
    selfPaced = {
      next() {
        if (ended || stopped || nextIndex >= limit) {
          if (nextIndex >= limit && inFlight.size === 0) finish();
          return;
        }
        send(nextIndex++);
      },
      start() { for (let i = 0; i < c && i < limit; i++) this.next(); },
      end() { ended = true; },
    };
  }

  let finished = false;
  function finish() {
    if (finished) return;
    if (inFlight.size > 0) {
      onIdle = finish;
      return;
    }
    finished = true;
    if (bare) {
      const cpu = process.cpuUsage(bareCpu);
      const seconds = Number(now() - bareStart) / 1e9;
      say(`bare ${job.load.requests} ${seconds.toFixed(6)} ${(cpu.user + cpu.system) * 1000}`);
      flush();
      process.exit(0);
    }
    say('done');
  }


  if (bare) {
    bareCpu = process.cpuUsage();
    bareStart = now();
    selfPaced.start();
    return null;
  }
  say(`ready ${JSON.stringify({ client: `${pattern === 'node-fetch' ? 'fetch (undici)' : 'node:http'} ${process.version}`, runtime: `Node.js ${process.version}`, in_flight: c, info })}`);
  return (word, rest) => {
    switch (word) {
      case 't': if (!stopped) send(Number(rest)); break;
      case 'clock': say(`clock ${rest} ${now()}`); break;
      case 'go': if (selfPaced) selfPaced.start(); break;
      case 'end': if (selfPaced) selfPaced.end(); finish(); break;
      case 'stop':
        stopped = true;
        if (selfPaced) selfPaced.end();
        for (const abort of [...inFlight.values()]) abort();
        finish();
        break;
      default: fail(`unknown message ${JSON.stringify(`${word} ${rest}`)}`);
    }
  };
}

let handle = null;
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  const space = line.indexOf(' ');
  const word = space < 0 ? line : line.slice(0, space);
  const rest = space < 0 ? '' : line.slice(space + 1);
  if (handle) return handle(word, rest);
  if (word !== 'job') return fail(`expected a job line first, got ${JSON.stringify(line)}`);
  let job;
  try {
    job = JSON.parse(rest);
  } catch (error) {
    return fail(`the job line is not JSON: ${error.message}`);
  }
  handle = main(job) || (() => {});
});
// waitbench closes stdin after "done": the client's cue to exit.
lines.on('close', () => {
  if (bare) return; // the loop exits when its batch is done
  flush();
  process.exit(0);
});
