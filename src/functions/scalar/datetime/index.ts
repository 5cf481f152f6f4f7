/** ksqlDB's DATE / TIME scalar functions. */
import type { ScalarFunction } from '../../function-types.js';
import { conversionFunctions } from './conversion-functions.js';
import { formatParseFunctions } from './format-parse-functions.js';
import { intervalFunctions } from './interval-functions.js';

export const datetimeFunctions: ScalarFunction[] = [...conversionFunctions, ...formatParseFunctions, ...intervalFunctions];

export {
  formatDate,
  formatTime,
  formatTimestamp,
  parseDate,
  parseTime,
  parseTimestamp,
  compilePattern,
  resolveZone,
  type Zone,
} from './java-date-format.js';
