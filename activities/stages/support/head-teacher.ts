import type { z } from 'zod';
import type { HeadTrainingResult } from '../../../ml/head/index.js';
import { HeadParams, type headStage, SUPERVISED } from '../../../pipelines/stages.js';
import type { ArtefactRef } from '../../../store/artefact-schema.js';
import { StageFailure } from '../../stage-runner.js';
import type { StageContext } from '../../stage-types.js';
import { readInputJson } from './artefact-files.js';
import { headFromJson } from './head-file.js';

type HeadInputs = StageContext<typeof headStage>['inputs'];
type HeadSettings = z.output<typeof HeadParams>;
type TeacherInput = NonNullable<HeadInputs['teacher']>;

function sameRef(a: ArtefactRef | undefined, b: ArtefactRef): boolean {
  return a?.key === b.key && a.digest === b.digest;
}

/**
 * A teacher is only a shortcut for fitting the supervised head here: it must be that head, on the same features
 * and sample, with the same fit settings. Anything else is a wiring error, not a head to trust.
 */
function checkTeacher(teacher: TeacherInput, inputs: HeadInputs, params: HeadSettings): void {
  const taught = HeadParams.safeParse(teacher.manifest.params);
  const problems: string[] = [];
  if (!taught.success) problems.push('its params are not a head stage’s');
  else {
    const { mode, ...rest } = taught.data;
    const { mode: _mode, ...ours } = params;
    if (mode !== SUPERVISED) problems.push(`it is a ${mode} head, not a ${SUPERVISED} one`);
    if (JSON.stringify(rest) !== JSON.stringify(ours))
      problems.push('its fraction, seed or fit settings differ');
  }
  if (!sameRef(teacher.manifest.inputs['features'], inputs.features.ref)) problems.push('other features');
  if (!sameRef(teacher.manifest.inputs['sample'], inputs.sample.ref)) problems.push('another label sample');
  if (problems.length > 0)
    throw new StageFailure(
      `teacher ${teacher.ref.key} is not this head's supervised counterpart: ${problems.join('; ')} ` +
        '(pipelines/paper.ts wires a semi-supervised head to the supervised head of its own sweep point)',
    );
}

/** The supervised head a semi-supervised head starts from, as `trainLinearHead` would have returned it. */
export async function loadTeacher(
  teacher: TeacherInput,
  inputs: HeadInputs,
  params: HeadSettings,
): Promise<HeadTrainingResult> {
  checkTeacher(teacher, inputs, params);
  const head = headFromJson(await readInputJson(teacher, 'head.json'));
  const training = await readInputJson(teacher, 'training.json');
  return {
    head,
    choice: { l2: training.l2, folds: training.folds, scores: training.cv },
    l2: training.l2,
    iterations: training.iterations,
    converged: training.converged,
    gradientNorm: training.gradientNorm,
    loss: training.loss,
    trainMs: training.trainMs,
  };
}
