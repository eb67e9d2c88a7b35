// Inference-only compilation of a frozen ResNet backbone: every Conv2D -> BatchNormalization
// (-> ReLU) chain becomes one fused conv (BN folded into the kernel and a bias, ReLU fused);
// a block's last conv takes its shortcut add and ReLU too (frozenConv2d), and the rest
// (other adds and ReLUs, max-pool, global average pool) runs as plain tfjs-core ops.
// Only the layer types and wiring that ml/models/resnet-blocks.ts produces are supported; for
// anything else compileFrozenInference returns undefined and callers fall back to model.predict.
// The weights are read once at compile time: recompile after the model's weights change.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { frozenConv2d } from './frozen-conv2d.js';
import { releaseFrozenFilters } from './kernels/native-onednn-conv.js';

type Layer = tfl.layers.Layer;
type Symbolic = tfl.SymbolicTensor;
type Config = Record<string, unknown>;

export type CompiledInference = ((x: tf.Tensor4D) => tf.Tensor2D) & {
  /** Frees the folded kernels and biases. */
  dispose: () => void;
};

/** One op of the compiled plan: reads `srcs`, writes `dst`. */
interface Step {
  srcs: number[];
  dst: number;
  fn: (inputs: tf.Tensor[]) => tf.Tensor;
}

/** Thrown inside the compiler for any layer or wiring it does not handle. */
class Unsupported extends Error {}

function inputsOf(layer: Layer): Symbolic[] {
  if (layer.inboundNodes.length !== 1) throw new Unsupported(`${layer.name} is applied more than once`);
  const input = layer.input as Symbolic | Symbolic[];
  return Array.isArray(input) ? input : [input];
}

function outputOf(layer: Layer): Symbolic {
  const output = layer.output as Symbolic | Symbolic[];
  if (Array.isArray(output)) throw new Unsupported(`${layer.name} has several outputs`);
  return output;
}

function singleInput(layer: Layer): Symbolic {
  const inputs = inputsOf(layer);
  if (inputs.length !== 1) throw new Unsupported(`${layer.name} expects one input`);
  return inputs[0]!;
}

function pair(value: unknown, name: string): [number, number] {
  const v = typeof value === 'number' ? [value, value] : (value as number[]);
  if (!Array.isArray(v) || v.length !== 2 || v.some((n) => typeof n !== 'number')) {
    throw new Unsupported(`${name}: expected a pair of numbers, got ${JSON.stringify(value)}`);
  }
  return [v[0]!, v[1]!];
}

function padding(value: unknown): 'same' | 'valid' {
  if (value !== 'same' && value !== 'valid') throw new Unsupported(`unsupported padding ${String(value)}`);
  return value;
}

function channelsLast(config: Config, name: string): void {
  const format = config.dataFormat;
  if (format !== undefined && format !== null && format !== 'channelsLast') {
    throw new Unsupported(`${name}: dataFormat ${String(format)}`);
  }
}

interface FoldedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
}

/** Conv2D (optionally with its own bias) followed by an inference-mode BatchNormalization. */
function foldConvBn(conv: Layer, bn: Layer | undefined): FoldedConv {
  const cc = conv.getConfig() as Config;
  channelsLast(cc, conv.name);
  const activation = cc.activation;
  if (activation !== undefined && activation !== null && activation !== 'linear') {
    throw new Unsupported(`${conv.name}: activation ${String(activation)}`);
  }
  if ((cc.groups ?? 1) !== 1) throw new Unsupported(`${conv.name}: grouped conv`);
  const convWeights = conv.getWeights();
  const kernel = convWeights[0]!;
  if (kernel.rank !== 4) throw new Unsupported(`${conv.name}: kernel rank ${kernel.rank}`);
  const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
  const w = kernel.dataSync();
  const convBias = cc.useBias === true ? convWeights[1]!.dataSync() : undefined;

  const scale = new Float64Array(cout).fill(1);
  const shift = new Float64Array(cout);
  for (let c = 0; c < cout; c++) shift[c] = convBias?.[c] ?? 0;
  if (bn !== undefined) {
    const bc = bn.getConfig() as Config;
    const axis = bc.axis;
    const axisOk =
      axis === -1 ||
      axis === 3 ||
      (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3));
    if (!axisOk) throw new Unsupported(`${bn.name}: axis ${JSON.stringify(axis)}`);
    const eps = bc.epsilon as number;
    const weights = bn.getWeights();
    let i = 0;
    const gamma = bc.scale !== false ? weights[i++]!.dataSync() : undefined;
    const beta = bc.center !== false ? weights[i++]!.dataSync() : undefined;
    const mean = weights[i++]!.dataSync();
    const variance = weights[i++]!.dataSync();
    if (mean.length !== cout || variance.length !== cout)
      throw new Unsupported(`${bn.name}: channel mismatch`);
    for (let c = 0; c < cout; c++) {
      const s = (gamma?.[c] ?? 1) / Math.sqrt(variance[c]! + eps);
      scale[c] = s;
      shift[c] = (shift[c]! - mean[c]!) * s + (beta?.[c] ?? 0);
    }
  }
  const folded = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) folded[i] = w[i]! * scale[i % cout]!;
  return {
    filter: tf.tensor4d(folded, [kh, kw, cin, cout]),
    bias: tf.tensor1d(Float32Array.from(shift)),
    strides: pair(cc.strides, `${conv.name}.strides`),
    pad: padding(cc.padding),
    dilations: pair(cc.dilationRate ?? 1, `${conv.name}.dilationRate`),
  };
}

function isPlainRelu(layer: Layer): boolean {
  if (layer.getClassName() === 'ReLU') {
    const maxValue = (layer.getConfig() as Config).maxValue;
    return maxValue === undefined || maxValue === null;
  }
  return layer.getClassName() === 'Activation' && (layer.getConfig() as Config).activation === 'relu';
}

/** activation(conv(src) [+ residual]); with a residual, a block's last conv and its shortcut in one op. */
function convStep(
  src: number,
  dst: number,
  folded: FoldedConv,
  activation: 'relu' | 'linear',
  residual?: number,
): Step {
  const { filter, bias, strides, pad, dilations } = folded;
  return {
    srcs: residual === undefined ? [src] : [src, residual],
    dst,
    fn: ([x, r]) => {
      const args = { x: x as tf.Tensor4D, filter, bias, strides, pad, dilations, activation };
      return frozenConv2d(r === undefined ? args : { ...args, residual: r as tf.Tensor4D });
    },
  };
}

function build(model: tfl.LayersModel, owned: tf.Tensor[]): { steps: Step[]; input: number; output: number } {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Unsupported('not single in/out');
  const output = model.outputs[0]!;
  if (output.shape.length !== 2) throw new Unsupported('output is not rank 2');

  // Who reads each symbolic tensor: a conv's output may only be folded when its BN is the sole reader.
  const consumers = new Map<number, Layer[]>();
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    for (const t of inputsOf(layer)) consumers.set(t.id, [...(consumers.get(t.id) ?? []), layer]);
  }
  const soleConsumer = (t: Symbolic): Layer | undefined => {
    if (t.id === output.id) return undefined;
    const readers = consumers.get(t.id) ?? [];
    return readers.length === 1 ? readers[0] : undefined;
  };

  const absorbed = new Set<Layer>();
  const steps: Step[] = [];
  // Conv(+BN) outputs read only by an Add: emitted at that Add, where one can take the residual.
  const deferredConvs = new Map<number, { src: number; folded: FoldedConv }>();
  for (const layer of model.layers) {
    if (absorbed.has(layer)) continue;
    const kind = layer.getClassName();
    const config = layer.getConfig() as Config;
    const out = outputOf(layer);
    if (kind === 'InputLayer') continue;
    if (kind === 'Conv2D') {
      const src = singleInput(layer).id;
      let last = out;
      let bn: Layer | undefined;
      const next = soleConsumer(out);
      if (next?.getClassName() === 'BatchNormalization') {
        bn = next;
        absorbed.add(bn);
        last = outputOf(bn);
      }
      let activation: 'relu' | 'linear' = 'linear';
      const after = soleConsumer(last);
      if (after !== undefined && isPlainRelu(after)) {
        activation = 'relu';
        absorbed.add(after);
        last = outputOf(after);
      }
      const folded = foldConvBn(layer, bn);
      owned.push(folded.filter, folded.bias);
      if (activation === 'linear' && after?.getClassName() === 'Add') {
        deferredConvs.set(last.id, { src, folded });
      } else {
        steps.push(convStep(src, last.id, folded, activation));
      }
    } else if (kind === 'Add') {
      const srcs = inputsOf(layer).map((t) => t.id);
      let last = out;
      let relu = false;
      const after = soleConsumer(out);
      if (after !== undefined && isPlainRelu(after)) {
        relu = true;
        absorbed.add(after);
        last = outputOf(after);
      }
      // A deferred conv is read by this Add only: fuse one with the other input as its residual.
      const deferred = srcs.filter((id) => deferredConvs.has(id));
      const fused = srcs.length === 2 ? deferred.pop() : undefined;
      for (const id of deferred) {
        const conv = deferredConvs.get(id)!;
        steps.push(convStep(conv.src, id, conv.folded, 'linear'));
      }
      if (fused !== undefined) {
        const conv = deferredConvs.get(fused)!;
        const residual = srcs.find((id) => id !== fused)!;
        steps.push(convStep(conv.src, last.id, conv.folded, relu ? 'relu' : 'linear', residual));
        continue;
      }
      steps.push({
        srcs,
        dst: last.id,
        fn: (xs) => {
          const sum = xs.length === 2 ? tf.add(xs[0]!, xs[1]!) : tf.addN(xs);
          return relu ? tf.relu(sum) : sum;
        },
      });
    } else if (isPlainRelu(layer)) {
      const src = singleInput(layer).id;
      steps.push({ srcs: [src], dst: out.id, fn: ([x]) => tf.relu(x!) });
    } else if (kind === 'MaxPooling2D') {
      channelsLast(config, layer.name);
      const src = singleInput(layer).id;
      const poolSize = pair(config.poolSize, `${layer.name}.poolSize`);
      const strides = pair(config.strides ?? config.poolSize, `${layer.name}.strides`);
      const pad = padding(config.padding);
      steps.push({
        srcs: [src],
        dst: out.id,
        fn: ([x]) => tf.maxPool(x as tf.Tensor4D, poolSize, strides, pad),
      });
    } else if (kind === 'GlobalAveragePooling2D') {
      channelsLast(config, layer.name);
      if (config.keepDims === true) throw new Unsupported(`${layer.name}: keepDims`);
      const src = singleInput(layer).id;
      steps.push({ srcs: [src], dst: out.id, fn: ([x]) => tf.mean(x!, [1, 2]) });
    } else {
      throw new Unsupported(`layer ${layer.name} of type ${kind}`);
    }
  }
  return { steps, input: model.inputs[0]!.id, output: output.id };
}

/**
 * An inference function equivalent to `model.predict` (up to float rounding) for the ResNet
 * backbones built from resnet-blocks.ts, or undefined when the model contains anything else.
 */
export function compileFrozenInference(model: tfl.LayersModel): CompiledInference | undefined {
  const owned: tf.Tensor[] = [];
  let plan: ReturnType<typeof build>;
  try {
    plan = build(model, owned);
  } catch (error) {
    tf.dispose(owned);
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  // How many steps read each value, so intermediates are freed as soon as their last reader ran
  // (as model.predict does) instead of all living until the end of the forward pass.
  const readers = new Map<number, number>();
  for (const step of plan.steps) for (const id of step.srcs) readers.set(id, (readers.get(id) ?? 0) + 1);
  const run = (x: tf.Tensor4D): tf.Tensor2D => {
    const values = new Map<number, tf.Tensor>([[plan.input, x]]);
    const remaining = new Map(readers);
    try {
      for (const step of plan.steps) {
        const inputs = step.srcs.map((id) => values.get(id)!);
        values.set(
          step.dst,
          tf.tidy(() => step.fn(inputs)),
        );
        for (const id of step.srcs) {
          const left = remaining.get(id)! - 1;
          remaining.set(id, left);
          if (left === 0 && id !== plan.input && id !== plan.output) {
            values.get(id)!.dispose();
            values.delete(id);
          }
        }
      }
      const result = values.get(plan.output);
      if (result === undefined) throw new Error('compiled inference did not produce the model output');
      values.delete(plan.output);
      return result as tf.Tensor2D;
    } finally {
      values.delete(plan.input);
      tf.dispose([...values.values()]);
    }
  };
  const dispose = () => {
    tf.dispose(owned);
    releaseFrozenFilters();
  };
  return Object.assign(run, { dispose });
}
