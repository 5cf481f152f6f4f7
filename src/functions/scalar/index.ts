/** Every built-in scalar function, for the function registry. */
import type { ScalarFunction } from '../function-types.js';
import { arrayFunctions } from './array-functions.js';
import { conditionalFunctions } from './conditional-functions.js';
import { conversionFunctions } from './conversion-functions.js';
import { datetimeFunctions } from './datetime/index.js';
import { jsonFunctions } from './json-functions.js';
import { lambdaFunctions } from './lambda-functions.js';
import { mapFunctions } from './map-functions.js';
import { mathFunctions } from './math-functions.js';
import { otherFunctions } from './other-functions.js';
import { stringFunctions } from './string-functions.js';
import { urlFunctions } from './url-functions.js';
import { declaredName } from './define.js';

export { javaDoubleToString, javaDecimalToString } from './java-format.js';

/** Each built-in carries ksqlDB's declared name, which its resolution errors show. */
export const builtinScalarFunctions: ScalarFunction[] = [
  ...stringFunctions,
  ...mathFunctions,
  ...conditionalFunctions,
  ...jsonFunctions,
  ...urlFunctions,
  ...arrayFunctions,
  ...mapFunctions,
  ...lambdaFunctions,
  ...conversionFunctions,
  ...otherFunctions,
  ...datetimeFunctions,
].map((f) => (f.displayName ? f : { ...f, displayName: declaredName(f.name) }));
