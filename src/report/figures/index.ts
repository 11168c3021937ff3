/** Figure builders (plain data → vega-lite spec) and renderers (spec → SVG → PNG). */
export { figureSvg, svgToPng, writeFigure, type VlSpec } from "./render.js";
export { eventStudyFigure, type EventSeries, type EventPoint } from "./event-study.js";
export { placeboFigure } from "./placebo.js";
export { sdidTrajectoryFigure, sdidWeightsFigure, type SdidTrajectory } from "./sdid.js";
export { pathsFigure, type PathBar } from "./paths.js";
export { coefFigure, type CoefRow } from "./coef.js";
export { sensitivityFigure } from "./sensitivity.js";
