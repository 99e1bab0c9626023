// Okabe–Ito: eight colours that stay distinct under the common colour-vision deficiencies.
export const OKABE_ITO = {
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  black: '#000000',
} as const;

/** Series colours in order (yellow last: it is faint on white). */
export const SERIES = [
  OKABE_ITO.blue, OKABE_ITO.orange, OKABE_ITO.green, OKABE_ITO.vermillion, OKABE_ITO.purple, OKABE_ITO.skyBlue,
  OKABE_ITO.black, OKABE_ITO.yellow,
] as const;

export const seriesColor = (i: number): string => SERIES[i % SERIES.length]!;

/** One colour per operator block, fixed so a block keeps its colour across charts. */
export const BLOCK_COLORS: Record<string, string> = {
  attention: OKABE_ITO.blue,
  mlp: OKABE_ITO.orange,
  moe: OKABE_ITO.green,
  norm: OKABE_ITO.skyBlue,
  embedding: OKABE_ITO.purple,
  head: OKABE_ITO.vermillion,
  comm: OKABE_ITO.black,
};

/** Better / worse in a delta: blue and vermillion, always with a sign and an arrow too (never colour alone). */
export const BETTER = OKABE_ITO.blue;
export const WORSE = OKABE_ITO.vermillion;
