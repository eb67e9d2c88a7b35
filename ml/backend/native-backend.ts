// The native TensorFlow binding (CUDA build first) is an optional, user-installed package.
// Imported through a variable so tsc neither needs its types nor fails when it is absent.
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export type NativePackage = (typeof NATIVE_PACKAGES)[number];

async function tryImport(specifier: string): Promise<boolean> {
  try {
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}

/** Loads the first native binding that imports; it registers the 'tensorflow' backend itself. */
export async function loadNativeBackend(): Promise<NativePackage | undefined> {
  for (const name of NATIVE_PACKAGES) {
    if (await tryImport(name)) return name;
  }
  return undefined;
}
