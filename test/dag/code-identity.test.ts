import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import ts from 'typescript';
import { nodeCacheKey } from '../../activities/cache.js';
import {
  BUILD_ROOT,
  LOCK_FILE,
  stageCodeIdentities,
  stageCodeIdentity,
} from '../../activities/stage-code.js';
import { PIPELINE_STAGES } from '../../activities/stages/index.js';
import { startPipelineRun } from '../../cli/runs.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import { type CodeIdentity, lockedVersions } from '../../store/code-identity.js';
import { createShelfWorker } from '../../workers/worker.js';
import { executions, FAKE_STAGES, generateStage, scaleStage, sumStage } from '../support/fake-stages.js';
import { activityAttempts } from '../support/history.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

const PROJECT_ROOT = path.join(BUILD_ROOT, '..');
const STAGE_NAMES = PIPELINE_STAGES.map((s) => s.def.name);

/** Every paper stage's identity over a build root (a copy of dist/ in a test). */
async function identitiesAt(root: string, versions: Record<string, string>) {
  const entries = await Promise.all(
    STAGE_NAMES.map(async (name) => {
      const entry = path.join(root, 'activities', 'stages', `${name}.js`);
      return [name, await stageCodeIdentity(entry, { root, versions })] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<string, CodeIdentity>;
}

function changedStages(a: Record<string, CodeIdentity>, b: Record<string, CodeIdentity>): string[] {
  return STAGE_NAMES.filter((name) => a[name]!.digest !== b[name]!.digest);
}

/** The stages whose module graph holds `module`: exactly those a change to it must recompute. */
function stagesReaching(ids: Record<string, CodeIdentity>, module: string): string[] {
  return STAGE_NAMES.filter((name) => ids[name]!.modules.includes(module));
}

/** What `tsc -p tsconfig.json` emits for one source file (transpileModule with the project's options). */
function emit(source: string, fileName: string): string {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(PROJECT_ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  assert.ok(config, 'tsconfig.json parses');
  // transpileModule cannot see package.json's "type": "module", which makes NodeNext emit ES modules.
  const options = { ...config.options, module: ts.ModuleKind.ESNext };
  return ts.transpileModule(source, { compilerOptions: options, fileName }).outputText;
}

describe('stage code identity: a hash of the module graph, part of every cache key', () => {
  let dir: string;
  let versions: Record<string, string>;
  let base: Record<string, CodeIdentity>;

  /** A fresh copy of the build, so each case edits one thing. */
  async function copyOfBuild(name: string): Promise<string> {
    const root = path.join(dir, name, 'dist');
    const notTests = (src: string) => path.relative(BUILD_ROOT, src).split(path.sep)[0] !== 'test';
    await cp(BUILD_ROOT, root, { recursive: true, filter: notTests });
    return root;
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shelfssl-code-identity-'));
    versions = await lockedVersions(LOCK_FILE);
    base = await identitiesAt(await copyOfBuild('base'), versions);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is the same for the same build anywhere: no absolute paths, and what a worker computes', async () => {
    const elsewhere = await identitiesAt(await copyOfBuild('elsewhere'), versions);
    assert.deepEqual(changedStages(base, elsewhere), []);
    const worker = await stageCodeIdentities(PIPELINE_STAGES);
    for (const name of STAGE_NAMES) assert.equal(worker[name], base[name]!.digest, name);
    assert.equal(new Set(Object.values(worker)).size, STAGE_NAMES.length, 'one identity per stage');
  });

  it("changing a stage's own module changes that stage's identity only", async () => {
    const root = await copyOfBuild('sample-edit');
    await appendFile(path.join(root, 'activities/stages/sample.js'), 'export const changed = 1;\n');
    assert.deepEqual(changedStages(base, await identitiesAt(root, versions)), ['sample']);
  });

  it('changing a shared module changes exactly the stages that import it', async () => {
    for (const module of ['data/labels/match-labels.js', 'ml/head/fit.js', 'data/crop/index.js']) {
      const reaching = stagesReaching(base, module);
      assert.ok(reaching.length > 0 && reaching.length < STAGE_NAMES.length, `${module}: ${reaching}`);
      const root = await copyOfBuild(module.replaceAll('/', '_'));
      await appendFile(path.join(root, module), 'export const changed = 1;\n');
      assert.deepEqual(changedStages(base, await identitiesAt(root, versions)), reaching, module);
    }
    assert.deepEqual(stagesReaching(base, 'data/labels/match-labels.js'), ['ingest']);
  });

  it('an unrelated module or the plumbing every stage shares changes no identity', async () => {
    const root = await copyOfBuild('plumbing');
    for (const module of [
      'pipelines/paper.js', // the DAG wiring: what it decides reaches the key as params and inputs
      'pipelines/stages.js', // declarations: params and codeVersion are in the key already
      'activities/stage-runner.js',
      'store/artefacts.js',
      'cli/app.js',
    ]) {
      await appendFile(path.join(root, module), 'export const changed = 1;\n');
    }
    assert.deepEqual(changedStages(base, await identitiesAt(root, versions)), []);
  });

  it('a comment-only edit emits the same JavaScript, so no identity changes; a code edit does not', async () => {
    const file = 'activities/stages/sample.ts';
    const source = await readFile(path.join(PROJECT_ROOT, file), 'utf8');
    const built = await readFile(path.join(BUILD_ROOT, 'activities/stages/sample.js'), 'utf8');
    assert.equal(emit(source, file), built, 'the emit model matches the real build');
    const commented = `// a new note\n${source.replace('async run(', '/** reworded */\n  async run(')}`;
    assert.notEqual(commented, source);
    assert.equal(emit(commented, file), built);
    assert.notEqual(emit(source.replace('async run(', 'async run2('), file), built);
  });

  it('a package version bump changes the identity of the stages that import that package, only', async () => {
    const bumped = { ...versions, sharp: `${versions.sharp}-patched` };
    const importing = STAGE_NAMES.filter((name) => 'sharp' in base[name]!.packages);
    assert.ok(importing.includes('ingest') && !importing.includes('pretrain'), `sharp in ${importing}`);
    const root = await copyOfBuild('bump');
    assert.deepEqual(changedStages(base, await identitiesAt(root, bumped)), importing);
    assert.ok('@tensorflow/tfjs-core' in base.pretrain!.packages, 'the ML packages are part of SwAV');
  });

  it('the cache key changes with the identity, all else equal', () => {
    const node = stageNode(scaleStage.def, 'scale', { factor: 2 }, { src: 'gen' });
    const inputs = { src: { stage: 't-generate', key: 'k', digest: 'a'.repeat(64) } };
    assert.notEqual(
      nodeCacheKey({ node, inputs }, 'a'.repeat(64)),
      nodeCacheKey({ node, inputs }, 'b'.repeat(64)),
    );
  });
});

describe('a stage whose code changed recomputes on the real servers; unchanged ones stay cached', () => {
  const workers: RunningWorker[] = [];

  after(async () => {
    for (const w of workers) await w.stop();
  });

  function plan(): DagPlan {
    return {
      pipeline: 'code-identity',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 4, offset: 424_242 }, {}),
        stageNode(scaleStage.def, 'scale', { factor: 3 }, { src: 'gen' }),
        stageNode(sumStage.def, 'sum', {}, { a: 'scale', b: 'gen' }),
      ],
    };
  }

  async function runOn(w: RunningWorker) {
    const mark = executions.length;
    const result = await (await startPipelineRun(w.client, w.settings, plan())).result();
    return { result, ran: executions.slice(mark).map((e) => e.nodeId) };
  }

  it('only the edited stage runs again; its same output keeps its dependant cached', async () => {
    workers.push(await startTestWorker('code-before', FAKE_STAGES));
    const first = await runOn(workers[0]!);
    assert.deepEqual(first.ran.sort(), ['gen', 'scale', 'sum']);
    // The same stage from another module stands for an edit of t-scale's code: another module graph.
    const editedScale = { ...scaleStage, module: import.meta.url };
    workers.push(await startTestWorker('code-after', [generateStage, editedScale, sumStage]));
    const second = await runOn(workers[1]!);
    assert.deepEqual(second.ran, ['scale']);
    assert.equal(second.result.nodes.find((n) => n.id === 'scale')?.cacheHit, false);
    assert.notEqual(second.result.refs.scale!.key, first.result.refs.scale!.key, 'new code, new key');
    assert.equal(second.result.refs.scale!.digest, first.result.refs.scale!.digest, 'same output bytes');
    assert.equal(second.result.refs.sum!.key, first.result.refs.sum!.key, 'so the dependant is a cache hit');
  });

  it('a stage worker of another build refuses a key computed by this one, without retrying', async () => {
    const gpuScale = {
      ...scaleStage,
      def: { ...scaleStage.def, name: 't-gpu-scale', queue: 'gpu' as const },
    };
    const w = await startTestWorker('code-mixed', [generateStage, gpuScale, sumStage]);
    workers.push(w);
    // The gpu queue's worker runs other code for t-gpu-scale than the cpu worker that looks up the cache.
    const other = await createShelfWorker(w.settings, 'gpu', {
      stages: [{ ...gpuScale, module: import.meta.url }],
      role: 'activities',
    });
    const running = other.run();
    try {
      const mixed: DagPlan = {
        pipeline: 'code-mixed',
        nodes: [
          stageNode(generateStage.def, 'gen', { count: 2, offset: 535_353 }, {}),
          stageNode(gpuScale.def, 'scale', { factor: 3 }, { src: 'gen' }),
        ],
      };
      const handle = await startPipelineRun(w.client, w.settings, mixed);
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.match(
          String(err.cause?.message),
          /scale: .*code differs from the worker that computed cache key/,
        );
        return true;
      });
      assert.deepEqual(await activityAttempts(handle, 'stage.t-gpu-scale'), [1]);
    } finally {
      other.shutdown();
      await running;
    }
  });
});
