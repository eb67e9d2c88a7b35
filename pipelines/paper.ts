import { z } from 'zod';
import { SmallResNetSpec } from '../ml/models/backbone-spec.js';
import { SwavParams } from '../ml/swav/params.js';
import type { BackboneRole } from '../report/reading.js';
import type { DagNode, DagPlan } from './dag.js';
import { validateDag } from './dag.js';
import { GcConfigSchema } from './gc-config.js';
import { NotifySchema } from './notify.js';
import { stageNode } from './stage.js';
import {
  backboneStage,
  boxesStage,
  cropPartStage,
  cropStage,
  evaluateStage,
  featuresPartStage,
  featuresStage,
  HeadMode,
  HeadParams,
  headStage,
  ingestStage,
  pretrainStage,
  reportStage,
  SEMI,
  SUPERVISED,
  SuperviseParams,
  sampleStage,
  snapshotStage,
  superviseStage,
} from './stages.js';

/** The look-alike upper-body garments: retail SKUs within one category look alike too. */
export const DEFAULT_CLASSES = ['tshirt', 'pullover', 'dress', 'coat', 'shirt'];

const backboneName = z
  .string()
  .regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes, e.g. swav-small (it is part of node ids)');

const BackboneConfig = z.discriminatedUnion('kind', [
  z.strictObject({
    name: backboneName,
    kind: z.literal('random'),
    arch: backboneStage.params.options[0].shape.arch.default(SmallResNetSpec.parse({ kind: 'small-resnet' })),
  }),
  z.strictObject({
    name: backboneName,
    kind: z.literal('swav'),
    swav: SwavParams.default(SwavParams.parse({ arch: { kind: 'small-resnet' } })),
  }),
  z.strictObject({
    name: backboneName,
    kind: z.literal('supervised'),
    supervised: SuperviseParams.prefault({ arch: { kind: 'small-resnet' } }),
  }),
  z.strictObject({
    name: backboneName,
    kind: z.literal('imported'),
    /** A TF.js model.json (path or s3://), or `alias:<name>`: the backbone of a published model. */
    model: z.string().min(1, 'a path or s3://bucket/key of a TF.js model.json, or alias:<name>'),
    inputSize: z.number().int().positive(),
    source: z.string().optional(),
  }),
]);

/** A user's run configuration (YAML/JSON). Everything has a default but the dataset location. */
export const RunConfigSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes')
    .default('paper'),
  dataset: z.strictObject({
    location: z.string().min(1, 'a directory (or s3://bucket/prefix) with images/ and annotations/'),
    labels: z.string().default('labels.csv'),
    classes: z.array(z.string()).min(2).default(DEFAULT_CLASSES),
  }),
  ingest: ingestStage.params
    .pick({
      maxBadShare: true,
      maxBadLabelShare: true,
      boxPolicy: true,
      iouThreshold: true,
      maxImagePixels: true,
      maxRows: true,
    })
    .prefault({}),
  crop: cropStage.params.omit({ location: true }).prefault({}),
  backbones: z
    .array(BackboneConfig)
    .min(1)
    .refine((b) => new Set(b.map((x) => x.name)).size === b.length, 'backbone names must be unique')
    .default([
      { name: 'random-init', kind: 'random', arch: SmallResNetSpec.parse({ kind: 'small-resnet' }) },
      { name: 'swav', kind: 'swav', swav: SwavParams.parse({ arch: { kind: 'small-resnet' } }) },
    ]),
  features: featuresStage.params.prefault({}),
  heads: HeadParams.omit({ mode: true, fraction: true, seed: true })
    .extend({ modes: z.array(HeadMode).min(1).default(['supervised', 'semi-supervised']) })
    .prefault({}),
  sweep: z
    .strictObject({
      fractions: z
        .array(
          z
            .number()
            .gt(0, 'a fraction is a percentage in (0, 100]')
            .max(100, 'a fraction is at most 100 (%)'),
        )
        .min(1)
        .default([10, 20, 30, 40, 50, 100]),
      seeds: z.number().int().min(1).max(20).default(3),
    })
    .prefault({}),
  report: z.strictObject({ title: z.string().default('shelfssl weekly report') }).prefault({}),
  /**
   * Split cropping and feature extraction into this many partition nodes (crop-part/N, features-part/N@…)
   * that every worker of the queue takes a share of; 0 = one crop and one features node do all the work.
   * Either way crops and features are cached per photo, so a week with new photos computes those only.
   */
  partitions: z.number().int().min(0).max(256).default(0),
  /**
   * Scheduled runs (champion/challenger): the best configuration replaces the `alias` model only when it beats
   * it on the champion's own test split by at least `margin` (accuracy, 0.01 = 1 point); null: never promote.
   */
  champion: z
    .strictObject({
      alias: z
        .string()
        .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, _ and -')
        .default('production'),
      margin: z.number().min(-1).max(1).default(0.01),
    })
    .nullable()
    .prefault({}),
  /** Run alerts to a Slack/Teams incoming webhook (README "Weekly operation"); absent: no alerts. */
  notify: NotifySchema.optional(),
  /** `shelfssl gc` after every run of this config (a schedule keeps the store bounded); absent: never. */
  gc: GcConfigSchema.optional(),
});
export type RunConfig = z.infer<typeof RunConfigSchema>;

const pct = (f: number) => `${f}pct`;

/**
 * Each backbone's role in the paper's reading: random init is the control, what trains on this run's own
 * crops (SwAV, supervised) is in-domain, and what is imported (public or another run's weights) is not.
 */
export function backboneRoles(config: RunConfig): Record<string, BackboneRole> {
  const role = {
    random: 'control',
    swav: 'in-domain',
    supervised: 'in-domain',
    imported: 'out-of-domain',
  } as const;
  return Object.fromEntries(config.backbones.map((b) => [b.name, role[b.kind]]));
}

/**
 * The paper's DAG: snapshot -> ingest -> boxes -> crop -> {backbone | pretrain} -> features -> sample ->
 * head -> evaluate -> report. Each (fraction, seed) sweep point is a node group (one child workflow).
 */
export function expandPaperPipeline(config: RunConfig): DagPlan {
  const { dataset } = config;
  const nodes: DagNode[] = [
    {
      ...stageNode(snapshotStage, 'snapshot', { location: dataset.location, labels: dataset.labels }, {}),
      volatile: true,
    },
    stageNode(
      ingestStage,
      'ingest',
      { location: dataset.location, labels: dataset.labels, classes: dataset.classes, ...config.ingest },
      { snapshot: 'snapshot' },
    ),
    stageNode(boxesStage, 'boxes', {}, { ingest: 'ingest' }),
  ];
  const parts = Array.from({ length: config.partitions }, (_, part) => part);
  const cropParams = { location: dataset.location, ...config.crop };
  for (const part of parts) {
    const params = { ...cropParams, part, parts: parts.length };
    nodes.push(stageNode(cropPartStage, `crop-part/${part}`, params, { boxes: 'boxes' }));
  }
  const cropParts = Object.fromEntries(parts.map((p) => [`part/${p}`, `crop-part/${p}`]));
  nodes.push(stageNode(cropStage, 'crop', cropParams, { boxes: 'boxes', ...cropParts }));
  for (const b of config.backbones) {
    const trunk = `backbone@${b.name}`;
    if (b.kind === 'swav') {
      // Labels reach SwAV only for the opt-in k-NN monitor; otherwise a label change keeps it cached.
      const monitor: Record<string, string> = b.swav.monitorCrops > 0 ? { 'monitor/labels': 'ingest' } : {};
      nodes.push(stageNode(pretrainStage, trunk, b.swav, { crops: 'crop', ...monitor }));
    } else if (b.kind === 'supervised')
      nodes.push(stageNode(superviseStage, trunk, b.supervised, { crops: 'crop', ingest: 'ingest' }));
    else if (b.kind === 'random')
      nodes.push(stageNode(backboneStage, trunk, { kind: 'random', arch: b.arch }, {}));
    else {
      // The backbone's name is the node id, not a stage param (the params schema is strict).
      const { name: _name, ...imported } = b;
      // Re-read every run: the file or alias may point at new weights; an unchanged model keeps its digest,
      // so the features downstream stay cached.
      nodes.push({ ...stageNode(backboneStage, trunk, imported, {}), volatile: true });
    }
    for (const part of parts) {
      const params = { ...config.features, part, parts: parts.length };
      const inputs = { backbone: trunk, crops: 'crop' };
      nodes.push(stageNode(featuresPartStage, `features-part/${part}@${b.name}`, params, inputs));
    }
    const featureParts = Object.fromEntries(parts.map((p) => [`part/${p}`, `features-part/${p}@${b.name}`]));
    nodes.push(
      stageNode(featuresStage, `features@${b.name}`, config.features, {
        backbone: trunk,
        crops: 'crop',
        ...featureParts,
      }),
    );
  }
  const seeds = Array.from({ length: config.sweep.seeds }, (_, i) => i + 1);
  const evals: Record<string, string> = {};
  for (const seed of seeds) {
    nodes.push(
      stageNode(
        sampleStage,
        `sample@seed${seed}`,
        { fractions: config.sweep.fractions, seed },
        { crops: 'crop', ingest: 'ingest' },
      ),
    );
    for (const fraction of config.sweep.fractions) {
      const group = `${pct(fraction)}/seed${seed}`;
      for (const b of config.backbones) {
        for (const mode of config.heads.modes) {
          const point = `${b.name}/${mode}/${group}`;
          const { modes: _modes, ...head } = config.heads;
          nodes.push(
            stageNode(
              headStage,
              `head@${point}`,
              { ...head, mode, fraction, seed },
              {
                features: `features@${b.name}`,
                sample: `sample@seed${seed}`,
                ingest: 'ingest',
                ...(mode === SEMI && config.heads.modes.includes(SUPERVISED)
                  ? { teacher: `head@${b.name}/${SUPERVISED}/${group}` }
                  : {}),
              },
              group,
            ),
            stageNode(
              evaluateStage,
              `eval@${point}`,
              { backbone: b.name, mode, fraction, seed },
              { head: `head@${point}`, features: `features@${b.name}`, ingest: 'ingest' },
              group,
            ),
          );
          evals[`eval/${point}`] = `eval@${point}`;
        }
      }
    }
  }
  nodes.push({
    ...stageNode(
      reportStage,
      'report',
      {
        title: config.report.title,
        classes: dataset.classes,
        runId: 'auto',
        isoWeek: 'auto',
        series: config.name,
        champion: config.champion,
        backboneRoles: backboneRoles(config),
      },
      { ingest: 'ingest', crops: 'crop', ...evals },
    ),
    volatile: true,
    // A weekly report must not vanish because one branch failed: it shows what succeeded and what did not.
    optionalInputs: Object.keys(evals),
  });
  validateDag(nodes);
  return {
    pipeline: config.name,
    nodes,
    ...(config.notify ? { notify: config.notify } : {}),
    ...(config.gc ? { gc: config.gc } : {}),
  };
}
