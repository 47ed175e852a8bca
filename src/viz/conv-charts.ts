import type { TopLevelSpec } from 'vega-lite';
import type { NonNormalizedSpec } from 'vega-lite/build/src/spec/index.js';
import { type Dataset, sampleFeatures } from '../data/dataset.js';
import { ScratchnetError } from '../errors.js';
import type { Sequential } from '../network/sequential.js';
import { CHART_CONFIG } from './chart-style.js';
import { grayscalePng, pngDataUrl, weightPng } from './digits.js';
import { type FeatureMaps, WEIGHT_SCHEME, convFilters, featureMaps, firstConv, weightLimit } from './inside.js';

export { type ConvFilter, type FeatureMaps, convFilters, featureMaps, firstConv } from './inside.js';

/**
 * What a convolutional network sees: the first convolution's filters as small images, and the feature
 * maps each convolution makes of one input image. The images are PNGs embedded in Vega-Lite specs, as
 * the digit figures are.
 */

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** One facet cell per image: an image mark of side `size` px from the `url` field. */
function imageCell(size: number): NonNormalizedSpec {
  return {
    width: size,
    height: size,
    view: { stroke: null },
    mark: { type: 'image', width: size, height: size, align: 'left', baseline: 'top', smooth: false, aria: false },
    encoding: { url: { field: 'url', type: 'nominal' }, x: { value: 0 }, y: { value: 0 } },
  };
}

/** Columns of a grid of n small images: all in one row up to 8, then 8 (16 from 64 on). */
function columnsFor(n: number): number {
  return n <= 8 ? n : n >= 64 ? 16 : 8;
}

/**
 * The first convolution's filters, one k×k image per output channel (per output and input channel when the
 * input has several channels), on one diverging colour scale: red weights respond to ink, blue to its
 * absence, white is 0. Clipped at the 99.5th percentile of |w|, as the first-layer weights figure is.
 * @throws {@link index.ScratchnetError} if the network has no Conv2d layer.
 */
export function convFiltersChart(network: Sequential, title = 'First convolution’s filters'): TopLevelSpec {
  const conv = firstConv(network);
  if (!conv) throw new ScratchnetError('convFiltersChart: the network has no Conv2d layer');
  const filters = convFilters(conv);
  const k = conv.kernel;
  const limit = weightLimit(filters.map((f) => f.weights));
  const zoom = Math.max(4, Math.round(40 / k)); // a 3×3 filter drawn 39 px wide, a 5×5 one 40 px
  const size = k * zoom;
  const several = conv.inChannels > 1;
  const values = filters.map((f, i) => ({
    index: i,
    name: several ? `${f.channel}·in ${f.input}` : String(f.channel),
    url: pngDataUrl(weightPng(f.weights, k, k, limit, { zoom })),
    low: -limit,
  }));
  const rows = Math.ceil(values.length / columnsFor(values.length));
  return {
    $schema: SCHEMA,
    title: {
      text: title,
      subtitle: `${String(conv)}: ${conv.outChannels} filters × ${conv.inChannels} input channel${several ? 's' : ''}, each ${k}×${k}; one colour scale, clipped at ±${limit.toPrecision(2)} (99.5th percentile of |w|)`,
    },
    config: { ...CHART_CONFIG, header: { labelFontSize: 10, labelPadding: 2 }, facet: { spacing: 8 } },
    data: { values },
    columns: columnsFor(values.length),
    facet: {
      field: 'index',
      type: 'ordinal',
      header: { title: null, labelExpr: `'filter ' + ${JSON.stringify(values.map((v) => v.name))}[datum.value]` },
    },
    spec: {
      width: size,
      height: size,
      view: { stroke: null },
      layer: [
        {
          mark: { type: 'image', width: size, height: size, align: 'left', baseline: 'top', smooth: false, aria: false },
          encoding: { url: { field: 'url', type: 'nominal' }, x: { value: 0 }, y: { value: 0 } },
        },
        // Invisible marks that only carry the colour scale, so the figure gets its weight legend.
        {
          mark: { type: 'point', opacity: 0 },
          encoding: {
            x: { value: 0 },
            y: { value: 0 },
            color: {
              field: 'low',
              type: 'quantitative',
              title: 'weight',
              scale: { scheme: WEIGHT_SCHEME, reverse: true, domain: [-limit, limit] },
              legend: { gradientLength: Math.max(60, Math.min(200, rows * 60)), format: '.2f' },
            },
          },
        },
      ],
    },
  };
}

/** One layer's maps as a grid: grayscale from 0 (black) to the largest value (white), or diverging when some are negative. */
function mapsView(maps: FeatureMaps): NonNormalizedSpec {
  const [channels, height, width] = maps.shape;
  let low = 0;
  let high = 0;
  for (const v of maps.values) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  const zoom = Math.max(1, Math.round(52 / Math.max(height, width)));
  const plane = height * width;
  const signed = low < 0;
  const limit = Math.max(high, -low, 1e-6);
  const values = Array.from({ length: channels }, (_, c) => {
    const map = maps.values.subarray(c * plane, (c + 1) * plane);
    const png = signed
      ? weightPng(map, width, height, limit, { zoom })
      : grayscalePng(
          map.map((v) => v / limit),
          width,
          height,
          { zoom },
        );
    return { channel: c, url: pngDataUrl(png) };
  });
  const scale = signed
    ? `blue −${limit.toPrecision(2)}, white 0, red +${limit.toPrecision(2)}`
    : `black 0, white ${limit.toPrecision(2)}`;
  return {
    title: {
      text: maps.name,
      subtitle: `${channels} maps of ${height}×${width}; ${scale}`,
      fontSize: 13,
      fontWeight: 'normal',
      anchor: 'start',
    },
    data: { values },
    columns: columnsFor(channels),
    facet: { field: 'channel', type: 'ordinal', header: { title: null, labelExpr: `'map ' + datum.value` } },
    spec: imageCell(width * zoom),
  } as NonNormalizedSpec;
}

/**
 * The feature maps of every convolution for sample `index` of `dataset`: the input image, then one grid
 * per Conv2d layer (one image per output channel, after its activation), each grid on its own scale.
 * @throws {@link index.ScratchnetError} if the network has no Conv2d layer or the index is outside the data.
 */
export function featureMapsChart(network: Sequential, dataset: Dataset, index: number, title = 'Feature maps'): TopLevelSpec {
  if (!firstConv(network)) throw new ScratchnetError('featureMapsChart: the network has no Conv2d layer');
  if (!(Number.isInteger(index) && index >= 0 && index < dataset.count))
    throw new ScratchnetError(`featureMapsChart: index ${index} outside 0..${dataset.count - 1}`);
  const sample = sampleFeatures(dataset, index);
  const maps = featureMaps(network, sample);
  const [, height, width] =
    network.inputShape.length === 3 ? network.inputShape : [1, Math.sqrt(sample.length), Math.sqrt(sample.length)];
  const zoom = Math.max(1, Math.round(84 / Math.max(height, width)));
  const label = dataset.classNames?.[dataset.labels[index]] ?? String(dataset.labels[index]);
  const input: NonNormalizedSpec = {
    title: {
      text: `Input: sample ${index} of ${dataset.name}, label ${label}`,
      fontSize: 13,
      fontWeight: 'normal',
      anchor: 'start',
    },
    data: { values: [{ url: pngDataUrl(grayscalePng(sample.subarray(0, height * width), width, height, { zoom })) }] },
    ...imageCell(width * zoom),
  };
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: 'what each convolution passes on for one test image; every grid on its own scale' },
    config: { ...CHART_CONFIG, header: { labelFontSize: 10, labelPadding: 2 }, facet: { spacing: 6 }, concat: { spacing: 22 } },
    vconcat: [input, ...maps.map(mapsView)],
  };
}
