// A tool is a TypeScript function with a zod schema: the model sees the schema, and Baton
// validates the model's arguments with it before the function runs.
import { z } from 'zod';
import { defineTool, ToolError } from 'baton';

// Example data: call your own service here (pass ctx.idempotencyKey on if it has side effects).
const orders = new Map([
  ['42', { orderId: '42', status: 'shipped', arrivesInDays: 2 }],
  ['43', { orderId: '43', status: 'being packed', arrivesInDays: 4 }],
]);

/** Finds an order by id; an unknown id is a ToolError, which the model sees and can act on. */
export const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Finds an order by its id and returns its status',
  input: z.object({ orderId: z.string().describe('the order id, e.g. 42') }),
  execute: async ({ orderId }) => {
    const order = orders.get(orderId);
    if (!order) throw new ToolError(`no order with id ${orderId}`);
    return order;
  },
});
