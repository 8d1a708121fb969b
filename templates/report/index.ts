export { buildReport, buildReportDocx, type BuiltReport, type ReportParts } from './build';
export { reportFileName } from './filename';
export { reportSummaryText } from './summary';
export {
  ReportConfigSchema,
  parseReportConfig,
  withParticulars,
  DEFAULT_REPORT_CONFIG,
  DEFAULT_RECIPIENTS,
  DEFAULT_REQUEST_CITATION,
  type ReportConfig,
  type ReportConfigInput,
} from './config';
export { bodyBlocks, periodTitleInSentence, reportSubject, type Block } from './sections';
