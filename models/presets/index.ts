// Every built-in model preset, grouped by vendor in the neighbouring files.
import type { TransformerConfigInput } from '../transformer-schema.ts';
import { META_PRESETS } from './meta.ts';
import { MISTRAL_PRESETS } from './mistral.ts';
import { QWEN_PRESETS } from './qwen.ts';
import { OTHER_PRESETS } from './other.ts';
import { DEEPSEEK_PRESETS } from './deepseek.ts';
import { QWEN_MOE_PRESETS } from './qwen-moe.ts';
import { SSM_PRESETS } from './ssm.ts';
import { HYBRID_PRESETS } from './hybrid.ts';
import { LOWBIT_PRESETS } from './lowbit.ts';
import { VLM_TEXT_PRESETS } from './vision.ts';

export { META_PRESETS, MISTRAL_PRESETS, QWEN_PRESETS, OTHER_PRESETS };

export const MODEL_PRESETS: readonly TransformerConfigInput[] = [
  ...META_PRESETS,
  ...MISTRAL_PRESETS,
  ...QWEN_PRESETS,
  ...OTHER_PRESETS,
  ...DEEPSEEK_PRESETS,
  ...QWEN_MOE_PRESETS,
  ...SSM_PRESETS,
  ...HYBRID_PRESETS,
  ...LOWBIT_PRESETS,
  ...VLM_TEXT_PRESETS,
];
