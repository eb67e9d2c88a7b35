// Some tfjs-layers layers compose their maths inside their own `call`, where no kernel registration
// can reach; routing a case through our code means wrapping `call` on the layer's class, found
// through the serialization registry without creating a layer. Each route decides per call whether
// to take over, else the original method runs unchanged.
import * as tf from '@tensorflow/tfjs-core';

export type LayerCall<L> = (
  this: L,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: Record<string, unknown>,
) => tf.Tensor;

/** The single tensor of a call's inputs, or undefined when there are several. */
export function singleInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | undefined {
  if (!Array.isArray(inputs)) return inputs;
  return inputs.length === 1 ? inputs[0] : undefined;
}

/**
 * Replaces `className`'s `call` with `route(original)`. Idempotent per `marker`; returns false when
 * tfjs-layers has not registered the class.
 */
export function routeLayerCall<L>(
  className: string,
  marker: symbol,
  route: (original: LayerCall<L>) => LayerCall<L>,
): boolean {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  const proto = entry?.[0].prototype as ({ call: LayerCall<L> } & { [key: symbol]: boolean }) | undefined;
  if (proto === undefined) return false;
  if (proto[marker]) return true;
  proto.call = route(proto.call);
  proto[marker] = true;
  return true;
}
