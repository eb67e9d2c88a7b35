import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import { defaultSuggestHead, SUGGEST_NODE, withSuggestNode } from '../../pipelines/suggest-plan.js';

const plan = expandPaperPipeline(
  RunConfigSchema.parse({ dataset: { location: '/data/shelves' }, sweep: { fractions: [10, 50], seeds: 2 } }),
);

describe('shelfssl suggest: the plan with a suggest node', () => {
  it('defaults to the head with the most labels on SwAV features, supervised, seed 1', () => {
    assert.equal(defaultSuggestHead(plan)?.id, 'head@swav/supervised/50pct/seed1');
  });

  it('wires the head, its features, the labels and the crops, and gives the report a To label input', () => {
    const next = withSuggestNode(plan, { n: 50, strategy: 'entropy' });
    const node = next.nodes.find((n) => n.id === SUGGEST_NODE)!;
    assert.deepEqual(node.inputs, {
      head: 'head@swav/supervised/50pct/seed1',
      features: 'features@swav',
      ingest: 'ingest',
      crops: 'crop',
    });
    assert.equal(node.params['n'], 50);
    assert.equal(node.params['strategy'], 'entropy');
    const report = next.nodes.find((n) => n.id === 'report')!;
    assert.equal(report.inputs[`suggest/${SUGGEST_NODE}`], SUGGEST_NODE);
    assert.ok(
      report.optionalInputs?.includes(`suggest/${SUGGEST_NODE}`),
      'a failed suggest keeps the report',
    );
    // The rest of the plan is untouched, so a re-run of it is all cache hits.
    const others = next.nodes.filter((n) => n.id !== SUGGEST_NODE && n.id !== 'report');
    assert.deepEqual(
      others,
      plan.nodes.filter((n) => n.id !== 'report'),
    );
    const again = withSuggestNode(next, { head: 'head@random-init/supervised/10pct/seed2' });
    assert.equal(again.nodes.filter((n) => n.id === SUGGEST_NODE).length, 1, 'replaced, not added');
  });

  it('refuses a head that is not in the run, listing the ones that are', () => {
    assert.throws(
      () => withSuggestNode(plan, { head: 'head@nope' }),
      /"head@nope" is not a head node of the run; choose one of: head@/,
    );
    assert.throws(() => withSuggestNode(plan, { strategy: 'loudest' as 'margin' }), /strategy/);
  });
});
