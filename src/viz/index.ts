/**
 * scratchnet/viz — the figures: Vega-Lite specs built from the library's own types (History, Evaluation,
 * Dataset, Sequential), rendered headless to SVG and PNG, and the self-contained HTML report.
 * A separate entry point from the core (`scratchnet`): it loads vega and a native rasteriser (resvg).
 */
export {
  activationFunctionsChart,
  activationDerivativesChart,
  activationCurve,
  ACTIVATION_PANELS,
  type ActivationPanel,
} from './activation-charts.js';
export { trainingHistoryChart, confusionMatrixChart } from './training-charts.js';
export {
  sampleNoun,
  samplesChart,
  predictionsChart,
  confidentlyWrongChart,
  mostConfidentlyWrong,
  firstLayerWeightsChart,
  weightLimit,
} from './digit-charts.js';
export {
  digitPng,
  digitGridPng,
  grayscalePng,
  weightPng,
  firstLayerWeights,
  pngDataUrl,
  imageSide,
  type ImageOptions,
  type GridOptions,
  type UnitWeights,
} from './digits.js';
export {
  convFiltersChart,
  featureMapsChart,
  featureMaps,
  convFilters,
  firstConv,
  type ConvFilter,
  type FeatureMaps,
} from './conv-charts.js';
export { renderSvg, renderPng, svgToPng, svgSize, toVega, writeChart, type PngOptions, type WrittenChart } from './render.js';
export {
  writeActivationFigures,
  writeSamplesFigure,
  writePredictionsFigure,
  writeRunFigures,
  writeConvFigures,
  pickSamples,
  type FigureFile,
  type RunFigureInput,
} from './figures.js';
export { writeReport, reportHtml, runMetrics, type ReportInput, type Report, type ReportValue } from './report.js';
export { CHART_CONFIG, COLOURS } from './chart-style.js';
export { FONT_FAMILY, chartFontFiles, measureText, useChartFontMetrics, type TextItem } from './fonts.js';
