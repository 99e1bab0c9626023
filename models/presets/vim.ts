// Vision Mamba presets (Zhu et al. 2024, arXiv:2401.09417, Table 1: Vim-Ti 7M, Vim-S 26M, Vim-B 98M parameters;
// ImageNet-1k heads, 224×224 images, patch 16). The widths and depths are the official model definitions in
// github.com/hustvl/Vim vim/models_mamba.py (vim_{tiny,small,base}_patch16_224_bimambav2_final_pool_mean_abs_pos_
// embed_with_mid{clstok,dle_cls_token}_div2): embed_dim 192 / 384 / 768, depth 24, d_state 16, rms_norm,
// residual_in_fp32, fused_add_norm, bimamba_type "v2", middle class token, if_divide_out; the Mamba mixer keeps
// mamba_ssm's defaults (d_conv 4, expand 2, dt_rank ⌈d/16⌉, no in/out_proj bias, conv bias).
import type { VimConfigInput } from '../vision/vim-schema.ts';

const VIM_IMAGENET = {
  kind: 'vim',
  imageSize: 224,
  patchSize: 16,
  channels: 3,
  numLayers: 24,
  stateSize: 16,
  convKernel: 4,
  expand: 2,
  bidirectional: true,
  classToken: 'middle',
  numClasses: 1000,
  norm: 'rmsnorm',
} as const;

const VIM_SOURCE = 'Zhu et al. 2024, Vision Mamba (arXiv:2401.09417), Table 1; github.com/hustvl/Vim vim/models_mamba.py';

export const VIM_PRESETS: readonly VimConfigInput[] = [
  { ...VIM_IMAGENET, id: 'vim-tiny', name: 'Vim-Ti', hiddenSize: 192, source: `${VIM_SOURCE} (vim_tiny_patch16_224_bimambav2_*: embed_dim 192, depth 24)` },
  { ...VIM_IMAGENET, id: 'vim-small', name: 'Vim-S', hiddenSize: 384, source: `${VIM_SOURCE} (vim_small_patch16_224_bimambav2_*: embed_dim 384, depth 24)` },
  { ...VIM_IMAGENET, id: 'vim-base', name: 'Vim-B', hiddenSize: 768, source: `${VIM_SOURCE} (vim_base_patch16_224_bimambav2_*: embed_dim 768, d_state 16, depth 24)` },
];
