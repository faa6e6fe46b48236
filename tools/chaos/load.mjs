// The chaos suite's clients: a mixed load at a fixed offered rate (register, fund, pay and reads,
// over many wallets and one hot one), sent by clients that behave as the README tells real ones
// to: a pay or fund answered 503 or 504, or lost to a network error or a timeout, is sent again
// with the same reference until it gets an answer. Every reference tried is remembered with what
// became of it, so "nothing lost" is also measured from the client's side (readBackOutcomes).
//
// Bounded: MAX_IN_FLIGHT chains of attempts at once (an offered operation beyond it counts as
// 'client-overload' and is not sent), MAX_ATTEMPTS attempts and MAX_CHAIN_MS per chain, each
// attempt with REQUEST_TIMEOUT_MS.
import { randomUUID } from 'node:crypto';

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_IN_FLIGHT = 2_000;
const MAX_ATTEMPTS = 40;
const MAX_CHAIN_MS = 90_000;
const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 2_000;
/** How long the load waits for its outstanding chains when paused. */
const SETTLE_TIMEOUT_MS = MAX_CHAIN_MS + REQUEST_TIMEOUT_MS;
const SETUP_CONCURRENCY = 8;
/** One funding call may add at most ₦1,000,000 (the wallet's limit), in kobo. */
const FUNDING_LIMIT_MINOR = 100_000_000;
const PAYMENT_MINOR = 100_000;
/** What each user is funded with before paying: 500 payments' worth. */
const NEW_USER_FUNDING_MINOR = 500 * PAYMENT_MINOR;
const PROVIDER = 'ikeja-electric-prepaid';
/**
 * An ordinary meter (11 digits, Luhn-valid): the simulator's sandbox meters keep their documented
 * outcome whatever the fault rates say, so paying one would leave the provider fault idle.
 */
const ORDINARY_METER = '47012345675';
const PASSWORD = 'orange-Kettle-42';
/** Read-back polls a settling payment at this pace, within the caller's deadline. */
const READ_BACK_POLL_MS = 250;
/** How many accepted references are sent again at the end, to check each replay answers the same transaction. */
const REPLAY_SAMPLE = 300;

/** Answers the client must send again with the same reference: the request may or may not have been applied. */
export function isRetryable(status) {
  return status === 503 || status === 504 || status === 502 || typeof status === 'string';
}

/** What share of the offered operations each kind takes; a fifth of the payments go to the hot wallet. */
const MIX = [
  ['pay', 0.6],
  ['read', 0.3],
  ['fund', 0.08],
  ['register', 0.02],
];
const HOT_SHARE_OF_PAYMENTS = 0.2;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pay answers the bill, whose transactionId is the wallet's transaction; a fund answers the transaction itself. */
const transactionIdOf = (op, body) => (op === 'pay' ? body.transactionId : body.id);

export class ChaosLoad {
  /**
   * @param {{ gateways: string[], rate: number, users: number, clock: () => number }} options
   * `clock` gives seconds since the run started, the time base of every record.
   */
  constructor({ gateways, rate, users, clock }) {
    this.gateways = gateways;
    this.rate = rate;
    this.userCount = users;
    this.clock = clock;
    this.next = 0;
    this.users = [];
    this.hot = undefined;
    /** Every attempt: { op, sentAt, doneAt, status, requestId (of a server error the client cannot retry) }. */
    this.attempts = [];
    /** Every reference tried: { op, reference, user, amount, accepted: { id, status } | undefined, lastStatus, attempts }. */
    this.references = new Map();
    this.inFlight = new Set();
    this.running = false;
    this.overloaded = 0;
    this.knownTransactionIds = [];
  }

  /** One HTTP call to the next gateway (a refused connection goes to the one after, as a layer-4 balancer does). */
  async call(method, path, body, token) {
    const first = this.next++;
    for (let tried = 0; tried < this.gateways.length; tried += 1) {
      try {
        const response = await fetch(`${this.gateways[(first + tried) % this.gateways.length]}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await response.text();
        let parsed = {};
        try {
          parsed = text ? JSON.parse(text) : {};
        } catch {
          parsed = { unparsed: text.slice(0, 200) };
        }
        return { status: response.status, body: parsed, retryAfterS: Number(response.headers.get('retry-after')) || undefined };
      } catch (error) {
        if (error?.cause?.code === 'ECONNREFUSED') continue;
        return { status: error.name === 'TimeoutError' ? 'timeout' : `network ${error.cause?.code ?? error.message}`, body: {} };
      }
    }
    return { status: 'refused by every gateway', body: {} };
  }

  /** One attempt, recorded with the run's clock. */
  async attempt(op, method, path, body, token) {
    const sentAt = this.clock();
    const answer = await this.call(method, path, body, token);
    // The request id of a server error the client cannot retry, so the run can show what the services logged about it.
    const requestId = typeof answer.status === 'number' && answer.status >= 500 && !isRetryable(answer.status) ? answer.body.requestId : undefined;
    this.attempts.push({ op, sentAt, doneAt: this.clock(), status: answer.status, ...(requestId ? { requestId } : {}) });
    return answer;
  }

  /**
   * Sends until the answer is not retryable, with the same body (so the same reference) each
   * time, backing off as Retry-After says or doubling from FIRST_RETRY_MS. A 401 (the access
   * token expired: it lives 5 minutes) renews the session once per chain, as a client does.
   */
  async chain(op, method, path, body, user) {
    const started = Date.now();
    let renewed = false;
    for (let attempt = 1; ; attempt += 1) {
      const tokenUsed = user?.token;
      const answer = await this.attempt(op, method, path, body, tokenUsed);
      if (answer.status === 401 && user !== undefined && !renewed) {
        renewed = true;
        await this.renew(user, tokenUsed);
        continue;
      }
      if (!isRetryable(answer.status) || attempt >= MAX_ATTEMPTS || Date.now() - started >= MAX_CHAIN_MS) return { ...answer, attempts: attempt };
      const backoff = answer.retryAfterS !== undefined ? answer.retryAfterS * 1000 : Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), MAX_RETRY_MS);
      await sleep(Math.min(backoff, MAX_RETRY_MS));
    }
  }

  async login(user) {
    const answer = await this.chain('login', 'POST', '/users/login', { email: user.email, password: PASSWORD });
    if (answer.status !== 200) throw new Error(`login of ${user.email} answered ${answer.status}`);
    user.token = answer.body.accessToken;
    user.refreshToken = answer.body.refreshToken;
  }

  /**
   * A new access token for a user whose token was refused: the refresh token, once for all the
   * user's calls that were refused together (a refresh token used twice ends the session), and a
   * login only if the refresh is refused.
   */
  async renew(user, refusedToken) {
    if (user.token !== refusedToken) return;
    user.renewing ??= (async () => {
      const refreshed = await this.chain('refresh', 'POST', '/users/refresh', { refreshToken: user.refreshToken });
      if (refreshed.status === 200) {
        user.token = refreshed.body.accessToken;
        user.refreshToken = refreshed.body.refreshToken;
      } else {
        await this.login(user);
      }
    })().finally(() => {
      user.renewing = undefined;
    });
    await user.renewing;
  }

  async newUser() {
    const user = { email: `chaos-${randomUUID()}@example.com`, token: undefined };
    const registered = await this.chain('register', 'POST', '/users/register', { email: user.email, password: PASSWORD });
    if (registered.status !== 202 && registered.status !== 201) throw new Error(`register answered ${registered.status}`);
    await this.login(user);
    return user;
  }

  /** A payment or funding chain under a fresh reference, remembered with its outcome. */
  async moneyChain(op, user, amount) {
    const reference = `chaos-${op}-${randomUUID()}`;
    const record = { op, reference, user, amount, accepted: undefined, lastStatus: undefined, attempts: 0 };
    this.references.set(reference, record);
    const path = op === 'pay' ? '/bills/pay' : '/wallets/fund';
    const body = op === 'pay' ? { provider: PROVIDER, meterNumber: ORDINARY_METER, amount, reference } : { amount, reference };
    const answer = await this.chain(op, 'POST', path, body, user);
    record.lastStatus = answer.status;
    record.attempts = answer.attempts;
    if (answer.status === 201 || answer.status === 202) {
      record.accepted = { id: transactionIdOf(op, answer.body), status: answer.body.status };
      this.knownTransactionIds.push({ id: record.accepted.id, user });
    }
    return answer;
  }

  /** Registers and funds the users (and the hot wallet with enough for the whole run), SETUP_CONCURRENCY at a time. */
  async setUp({ hotFundings }) {
    const queue = Array.from({ length: this.userCount }, (_, index) => index);
    await Promise.all(
      Array.from({ length: SETUP_CONCURRENCY }, async () => {
        while (queue.shift() !== undefined) {
          const user = await this.newUser();
          await this.fundAndAwait(user, NEW_USER_FUNDING_MINOR);
          this.users.push(user);
        }
      }),
    );
    this.hot = await this.newUser();
    for (let index = 0; index < hotFundings; index += 1) await this.fundAndAwait(this.hot, FUNDING_LIMIT_MINOR);
  }

  async fundAndAwait(user, amount) {
    const answer = await this.moneyChain('fund', user, amount);
    if (answer.status === 201) return;
    if (answer.status !== 202) throw new Error(`funding answered ${answer.status}`);
    await this.awaitFinal(user, answer.body.id, Date.now() + 60_000);
  }

  /** Polls a transaction until it is no longer PENDING or the deadline passes; answers its last status. */
  async awaitFinal(user, id, deadline) {
    for (;;) {
      const tokenUsed = user.token;
      const read = await this.attempt('read-back', 'GET', `/transactions/${id}`, undefined, tokenUsed);
      if (read.status === 401) {
        await this.renew(user, tokenUsed);
        continue;
      }
      const status = read.status === 200 ? read.body.status : `HTTP ${read.status}`;
      if (status !== 'PENDING' && read.status === 200) return status;
      if (Date.now() >= deadline) return status;
      await sleep(READ_BACK_POLL_MS);
    }
  }

  pick(list) {
    return list[Math.floor(Math.random() * list.length)];
  }

  /** One offered operation of the mix. */
  async operation() {
    let draw = Math.random();
    const [kind] = MIX.find(([, share]) => (draw -= share) < 0) ?? MIX[0];
    switch (kind) {
      case 'pay': {
        const user = Math.random() < HOT_SHARE_OF_PAYMENTS ? this.hot : this.pick(this.users);
        return this.moneyChain('pay', user, PAYMENT_MINOR);
      }
      case 'fund':
        return this.moneyChain('fund', this.pick(this.users), 1_000_000 + Math.floor(Math.random() * 9_000_000));
      case 'register': {
        // A new user funds the wallet before paying from it, as one does.
        const user = await this.newUser();
        await this.fundAndAwait(user, NEW_USER_FUNDING_MINOR);
        this.users.push(user);
        return undefined;
      }
      default: {
        const user = this.pick(this.users);
        const read = Math.random();
        if (read < 0.4) return this.chain('read', 'GET', '/wallets/balance', undefined, user);
        if (read < 0.7) return this.chain('read', 'GET', '/transactions?limit=20', undefined, user);
        const known = this.knownTransactionIds.length > 0 ? this.pick(this.knownTransactionIds) : undefined;
        if (known === undefined) return this.chain('read', 'GET', '/wallets/balance', undefined, user);
        return this.chain('read', 'GET', `/transactions/${known.id}`, undefined, known.user);
      }
    }
  }

  /** Offers operations at the fixed rate until paused; each runs on its own, so a stall cannot slow the offer. */
  resume() {
    if (this.running) return;
    this.running = true;
    const intervalMs = 1000 / this.rate;
    const startedAt = performance.now();
    let offered = 0;
    const tick = () => {
      if (!this.running) return;
      const due = Math.floor((performance.now() - startedAt) / intervalMs);
      for (; offered < due; offered += 1) {
        if (this.inFlight.size >= MAX_IN_FLIGHT) {
          this.overloaded += 1;
          continue;
        }
        const operation = this.operation().catch((error) => this.attempts.push({ op: 'client-error', sentAt: this.clock(), doneAt: this.clock(), status: String(error.message) }));
        this.inFlight.add(operation);
        void operation.finally(() => this.inFlight.delete(operation));
      }
      this.timer = setTimeout(tick, Math.max(1, intervalMs));
    };
    tick();
  }

  /** Stops offering, and waits for every outstanding chain to get its answer (bounded by SETTLE_TIMEOUT_MS). */
  async pause() {
    this.running = false;
    clearTimeout(this.timer);
    const settled = Promise.allSettled([...this.inFlight]);
    const timedOut = await Promise.race([settled.then(() => false), sleep(SETTLE_TIMEOUT_MS).then(() => true)]);
    if (timedOut) throw new Error(`${this.inFlight.size} client chains still unanswered after ${SETTLE_TIMEOUT_MS} ms`);
  }

  /**
   * The client's side of "nothing lost". A reference that never got an answer is sent again with
   * the same reference, as a client must; a sample of the accepted ones too, which must answer the
   * same transaction. Then each user's history is read (GET /transactions) until none of the
   * client's references is PENDING or the deadline passes. Answers the outcome of each reference
   * and every contradiction: a reference listed twice or not at all, a replay answering another
   * transaction, a refused reference that was recorded anyway, or one still PENDING.
   */
  async readBackOutcomes(deadlineMs) {
    const deadline = Date.now() + deadlineMs;
    const problems = [];
    const records = [...this.references.values()];
    const unanswered = records.filter((record) => record.accepted === undefined && isRetryable(record.lastStatus));
    const sample = records.filter((record) => record.accepted !== undefined).sort(() => Math.random() - 0.5).slice(0, REPLAY_SAMPLE);
    const queue = [...unanswered, ...sample];
    await Promise.all(
      Array.from({ length: SETUP_CONCURRENCY }, async () => {
        for (let record = queue.shift(); record !== undefined; record = queue.shift()) {
          const path = record.op === 'pay' ? '/bills/pay' : '/wallets/fund';
          const body = record.op === 'pay' ? { provider: PROVIDER, meterNumber: ORDINARY_METER, amount: record.amount, reference: record.reference } : { amount: record.amount, reference: record.reference };
          const again = await this.chain(`${record.op}-again`, 'POST', path, body, record.user);
          if (again.status === 201 || again.status === 202) {
            const id = transactionIdOf(record.op, again.body);
            if (record.accepted !== undefined && record.accepted.id !== id) problems.push(`${record.reference}: accepted as ${record.accepted.id}, replayed as ${id}`);
            record.accepted = { id, status: again.body.status };
          } else if (record.accepted !== undefined) {
            problems.push(`${record.reference}: accepted as ${record.accepted.id}, then answered ${again.status}`);
          } else if (isRetryable(again.status)) {
            problems.push(`${record.reference}: still no answer (${again.status})`);
          }
          record.lastStatus = again.status;
        }
      }),
    );

    const outcomes = new Map();
    const byUser = new Map();
    for (const record of records) byUser.set(record.user, [...(byUser.get(record.user) ?? []), record]);
    let pendingUsers = [...byUser.keys()];
    while (pendingUsers.length > 0) {
      const stillPending = [];
      for (const user of pendingUsers) {
        const listed = await this.history(user);
        let pending = false;
        for (const record of byUser.get(user)) {
          const entries = listed.get(record.reference) ?? [];
          if (record.accepted === undefined) {
            if (entries.length > 0) problems.push(`${record.reference}: refused with ${record.lastStatus}, yet recorded as ${entries[0].id}`);
            outcomes.set(record.reference, { op: record.op, outcome: `refused ${record.lastStatus}` });
            continue;
          }
          if (entries.length !== 1 || entries[0].id !== record.accepted.id) {
            problems.push(`${record.reference}: accepted as ${record.accepted.id}, listed ${entries.length} time(s)${entries.length ? ` as ${entries.map((entry) => entry.id)}` : ''}`);
            continue;
          }
          if (entries[0].status === 'PENDING') pending = true;
          outcomes.set(record.reference, { op: record.op, outcome: entries[0].status, id: entries[0].id });
        }
        if (pending) stillPending.push(user);
      }
      if (stillPending.length === 0) break;
      if (Date.now() >= deadline) {
        for (const user of stillPending) for (const record of byUser.get(user)) if (outcomes.get(record.reference)?.outcome === 'PENDING') problems.push(`${record.reference}: PENDING at the deadline`);
        break;
      }
      pendingUsers = stillPending;
      await sleep(READ_BACK_POLL_MS);
    }
    return { outcomes, problems };
  }

  /** A user's whole history through the API, reference -> the transactions listed under it. */
  async history(user) {
    const listed = new Map();
    let cursor;
    do {
      const page = await this.chain('read-back', 'GET', `/transactions?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, user);
      if (page.status !== 200) throw new Error(`reading the history answered ${page.status}`);
      for (const item of page.body.items) if (item.reference) listed.set(item.reference, [...(listed.get(item.reference) ?? []), item]);
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return listed;
  }
}
