// The public datasets `genz calibrate import SOURCE FILE` brings into the measurement format, by name.
import type { Measurement } from '../measurement-schema.ts';
import type { ImportOptions } from './table.ts';
import { importDeepbench } from './deepbench.ts';
import { importLlmcompass } from './llmcompass.ts';
import { importMlperf } from './mlperf.ts';
import { importNeusight } from './neusight.ts';
import { importVidur } from './vidur.ts';

export const IMPORT_SOURCES = ['vidur', 'llmcompass', 'neusight', 'deepbench', 'mlperf'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

/**
 * Each takes a file's text (and its name, for messages and, for Vidur, the device folder in its path) and returns its
 * measurements, or throws one GenzError. Vidur's also takes the device of a file whose columns do not name it.
 */
export const IMPORTERS: Readonly<Record<ImportSource, (text: string, fileName?: string, options?: ImportOptions & { device?: string }) => Measurement[]>> = {
  vidur: importVidur,
  llmcompass: importLlmcompass,
  neusight: importNeusight,
  deepbench: importDeepbench,
  mlperf: importMlperf,
};

export { importVidur, importVidurMlp, importVidurAttention, importVidurCollectives, vidurFileKind, VIDUR_DEVICES, type VidurImportOptions } from './vidur.ts';
export { importLlmcompass, importLlmcompassMatmul, importLlmcompassRowwise, LLMCOMPASS_DEVICES } from './llmcompass.ts';
export { importNeusight, NEUSIGHT_DEVICES } from './neusight.ts';
export { importDeepbench, DEEPBENCH_DEVICES } from './deepbench.ts';
export { importMlperf, MLPERF_DEVICE } from './mlperf.ts';
