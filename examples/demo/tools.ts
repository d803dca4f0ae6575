/** The demo's tools: small, deterministic, and honest about using built-in demo data. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineTool } from '../../activities';

/** Fixed demo data, so the offline demo gives the same answer every time. */
const demoWeather = new Map<string, { celsius: number; sky: string }>([
  ['oslo', { celsius: -3, sky: 'light snow' }],
  ['lisbon', { celsius: 17, sky: 'sunny' }],
  ['tokyo', { celsius: 11, sky: 'cloudy' }],
  ['nairobi', { celsius: 24, sky: 'scattered showers' }],
]);

/** Nightly rates of the demo's one hotel chain, in euros. */
const demoRates = new Map<string, number>([['oslo', 160], ['lisbon', 95], ['tokyo', 140], ['nairobi', 80]]);

export const getWeather = defineTool({
  name: 'get_weather',
  description: 'Current weather for a city (built-in demo data: Oslo, Lisbon, Tokyo, Nairobi).',
  input: z.object({ city: z.string().min(1).describe('City name, e.g. "Oslo"') }),
  startToCloseTimeout: '10s',
  execute({ city }) {
    const found = demoWeather.get(city.trim().toLowerCase());
    if (!found) return { city, error: `no demo data for ${city}; try ${[...demoWeather.keys()].join(', ')}` };
    return { city, ...found };
  },
});

export const convertTemperature = defineTool({
  name: 'convert_temperature',
  description: 'Converts a temperature from Celsius to Fahrenheit.',
  input: z.object({ celsius: z.number() }),
  execute: ({ celsius }) => ({ celsius, fahrenheit: Math.round((celsius * 9) / 5 + 32) }),
});

/** Spends money, so it is high risk: the run waits for a person's `baton approve` before it runs. */
export const bookHotel = defineTool({
  name: 'book_hotel',
  description: 'Books a hotel room in a city (demo: records the booking, charges nothing). Needs approval.',
  input: z.object({ city: z.string().min(1), nights: z.number().int().min(1).max(14) }),
  risk: 'high',
  execute({ city, nights }, ctx) {
    const rate = demoRates.get(city.trim().toLowerCase());
    if (rate === undefined) return { city, booked: false, error: `no demo hotel in ${city}` };
    // The idempotency key is stable across retries of this call: one booking, however often it runs.
    return { city, nights, booked: true, totalEur: rate * nights, reference: `DEMO-${createHash('sha256').update(ctx.idempotencyKey).digest('hex').slice(0, 6).toUpperCase()}` };
  },
});
