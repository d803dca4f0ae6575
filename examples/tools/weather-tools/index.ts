/**
 * An example tool package: tools made with `defineTool`, exported for any Baton config to
 * list in its `tools`. Each option is set on purpose; see the README's "Writing tools".
 * The data is computed (offline), so the example runs anywhere.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ToolError, defineTool } from '../../../activities';

/** A stand-in for a weather service: deterministic per city and day. */
function fakeForecast(city: string, days: number) {
  const seed = [...city.toLowerCase()].reduce((n, c) => n + c.charCodeAt(0), 0);
  return Array.from({ length: days }, (_, day) => ({ day: day + 1, highC: 8 + ((seed + day * 7) % 20), rainMm: (seed * (day + 3)) % 12 }));
}

export const forecast = defineTool({
  name: 'forecast',
  description: 'Daily forecast (high temperature in °C, rain in mm) for a city, up to 7 days',
  input: z.object({
    city: z.string().min(2).describe('City name, e.g. "Oslo"'),
    days: z.number().int().min(1).max(7).default(3),
    requestId: z.string().optional().describe('Free-form; not part of the cache key'),
  }),
  risk: 'low',
  startToCloseTimeout: '20s',
  heartbeatTimeout: '5s',
  retry: { maximumAttempts: 4, initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
  onError: 'report',
  // Forecasts change slowly: reuse a result for 10 minutes, keyed by city and days only.
  cache: { ttl: '10m', key: ['city', 'days'] },
  async execute({ city, days }, ctx) {
    if (/^(nowhere|atlantis)$/i.test(city)) throw new ToolError(`no forecast for "${city}"`); // the model sees this at once
    const result = [];
    for (const entry of fakeForecast(city, days)) {
      ctx.heartbeat({ day: entry.day }); // a long tool proves it is alive and lets cancellation in
      if (ctx.signal.aborted) throw new Error('cancelled');
      result.push(entry);
    }
    return { city, days: result };
  },
});

export interface AlertOptions {
  /** Where sent alerts are recorded (stands in for an SMS or e-mail service). */
  outbox: string;
}

/** A tool with a side effect: high risk (waits for approval) and idempotent by key. */
export function alertSubscribers(options: AlertOptions) {
  return defineTool({
    name: 'alert_subscribers',
    description: 'Sends a weather alert to everyone subscribed to a city',
    input: z.object({ city: z.string().min(2), message: z.string().min(5).max(280) }),
    risk: 'high',
    startToCloseTimeout: '30s',
    retry: { maximumAttempts: 5, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
    onError: 'fail',
    execute({ city, message }, ctx) {
      // An activity may run more than once; the idempotency key makes a repeat a no-op.
      const sent = existsSync(options.outbox) ? readFileSync(options.outbox, 'utf8') : '';
      if (sent.includes(`${ctx.idempotencyKey}\t`)) return { city, sent: false, reason: 'already sent' };
      mkdirSync(path.dirname(options.outbox), { recursive: true });
      appendFileSync(options.outbox, `${ctx.idempotencyKey}\t${city}\t${message}\n`);
      return { city, sent: true };
    },
  });
}
