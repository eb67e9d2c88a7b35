import { z } from 'zod';
import { formatZodError } from '../config/errors.js';
import {
  contractOf,
  type FileContract,
  type OutputContracts,
  requiredOutputs,
} from '../pipelines/artefact-contract.js';
import type { StageDef } from '../pipelines/stage.js';
import type { ArtefactWriter } from '../store/artefacts.js';
import type { AnyStageWriter } from './stage-types.js';

/** A stage wrote a file its declaration does not allow: a bug in the stage, which no retry fixes. */
export class OutputContractError extends Error {
  override name = 'OutputContractError';
}

function isContractList(outputs: StageDef['outputs']): outputs is OutputContracts {
  return !Array.isArray(outputs);
}

/**
 * The writer a stage gets: each write is checked against the declared outputs (JSON values parsed by their
 * schema before a byte is uploaded; the bytes are the value as given, so formats stay what they were).
 * Outputs declared as a plain list of names (test stages) are written unchecked.
 */
export function contractWriter(
  writer: ArtefactWriter,
  def: Pick<StageDef, 'name' | 'outputs'>,
): AnyStageWriter {
  const outputs = def.outputs;
  if (!isContractList(outputs)) return writer;
  const declared = (name: string, as: 'json' | 'bytes'): FileContract => {
    const contract = contractOf(outputs, name);
    if (contract === undefined) {
      throw new OutputContractError(
        `stage ${def.name} wrote ${name}, which its declaration does not list (outputs: ` +
          `${Object.keys(outputs).join(', ')}): declare it in pipelines/stages.ts`,
      );
    }
    if ((as === 'json') !== (typeof contract !== 'string')) {
      const want = typeof contract === 'string' ? 'putBuffer/putFile' : 'putJson';
      throw new OutputContractError(
        `stage ${def.name}: ${name} is declared ${describe(contract)}; write it with ${want}`,
      );
    }
    return contract;
  };
  return {
    async putJson(name, value) {
      const schema = declared(name, 'json') as z.ZodType;
      const checked = schema.safeParse(value);
      if (!checked.success)
        throw new OutputContractError(formatZodError(checked.error, `stage ${def.name}: ${name} it wrote`));
      return await writer.putJson(name, value);
    },
    async putBuffer(name, data) {
      declared(name, 'bytes');
      return await writer.putBuffer(name, data);
    },
    async putFile(name, localPath) {
      declared(name, 'bytes');
      return await writer.putFile(name, localPath);
    },
    adopt: (files) => writer.adopt(files),
    recorded: () => writer.recorded(),
  };
}

function describe(contract: FileContract): string {
  return contract instanceof z.ZodType ? 'JSON' : contract;
}

/** The files every run of the stage must have written before it publishes. */
export function requiredFiles(def: Pick<StageDef, 'outputs'>): string[] {
  return isContractList(def.outputs) ? requiredOutputs(def.outputs) : [...def.outputs];
}
