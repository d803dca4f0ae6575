import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkDecision } from '../workflows/approvals';
import { ApprovalDecisionSchema } from '../workflows/schemas';

const field = fc.oneof(fc.string({ maxLength: 3 }), fc.string({ minLength: 198, maxLength: 202 }), fc.string({ minLength: 1999, maxLength: 2001 }), fc.boolean(), fc.integer(), fc.constant(null), fc.constant(undefined));
const decisions = fc.oneof(
  fc.record({ approvalId: field, approve: field, reason: field, by: field }, { requiredKeys: [] }),
  fc.record({ approvalId: fc.string({ minLength: 1 }), approve: fc.boolean(), extra: fc.anything() }),
  fc.anything(),
);

describe('the decideApproval validator', () => {
  it('accepts exactly what ApprovalDecisionSchema accepts, without loading zod in the workflow (1,000 generated cases)', () => {
    fc.assert(
      fc.property(decisions, (input) => {
        const zod = ApprovalDecisionSchema.safeParse(input).success;
        let ours = true;
        try {
          checkDecision(input);
        } catch (err) {
          ours = false;
          expect((err as Error).message).toMatch(/^invalid decision: /);
        }
        expect(ours).toBe(zod);
      }),
      { numRuns: 1000 },
    );
  });
});
