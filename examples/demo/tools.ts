/** The demo's tools: small, deterministic, and honest about using built-in demo data. */
import { z } from 'zod';
import { defineTool } from '../../activities';

/** Fixed demo data, so the offline demo gives the same answer every time. */
const demoWeather: Record<string, { celsius: number; sky: string }> = {
  oslo: { celsius: -3, sky: 'light snow' },
  lisbon: { celsius: 17, sky: 'sunny' },
  tokyo: { celsius: 11, sky: 'cloudy' },
  nairobi: { celsius: 24, sky: 'scattered showers' },
};

export const getWeather = defineTool({
  name: 'get_weather',
  description: 'Current weather for a city (built-in demo data: Oslo, Lisbon, Tokyo, Nairobi).',
  input: z.object({ city: z.string().min(1).describe('City name, e.g. "Oslo"') }),
  startToCloseTimeout: '10s',
  execute({ city }) {
    const found = demoWeather[city.trim().toLowerCase()];
    if (!found) return { city, error: `no demo data for ${city}; try ${Object.keys(demoWeather).join(', ')}` };
    return { city, ...found };
  },
});

export const convertTemperature = defineTool({
  name: 'convert_temperature',
  description: 'Converts a temperature from Celsius to Fahrenheit.',
  input: z.object({ celsius: z.number() }),
  execute: ({ celsius }) => ({ celsius, fahrenheit: Math.round((celsius * 9) / 5 + 32) }),
});
