/** CONVERSIONS: numbers read from their binary (two's complement / IEEE 754) form. */
import { ExecutionError } from '../../common/errors.js';
import type { ScalarFunction } from '../function-types.js';
import { fn, sig, strict } from './define.js';

const CONVERSIONS = 'CONVERSIONS';

function byteOrder(order: string): 'BE' | 'LE' {
  if (order === 'BIG_ENDIAN') return 'BE';
  if (order === 'LITTLE_ENDIAN') return 'LE';
  throw new ExecutionError(`Byte order must be BIG_ENDIAN or LITTLE_ENDIAN. Unknown byte order '${order}'.`);
}

function checkLength(b: Buffer, n: number): void {
  if (b.length !== n) throw new ExecutionError(`Number of bytes must be equal to ${n}, but found ${b.length}`);
}

const readInt = (b: Buffer, order: string) => {
  checkLength(b, 4);
  return byteOrder(order) === 'BE' ? b.readInt32BE(0) : b.readInt32LE(0);
};
const readBigInt = (b: Buffer, order: string) => {
  checkLength(b, 8);
  return byteOrder(order) === 'BE' ? b.readBigInt64BE(0) : b.readBigInt64LE(0);
};
const readDouble = (b: Buffer, order: string) => {
  checkLength(b, 8);
  return byteOrder(order) === 'BE' ? b.readDoubleBE(0) : b.readDoubleLE(0);
};

export const conversionFunctions: ScalarFunction[] = [
  fn('INT_FROM_BYTES', CONVERSIONS, 'Converts 4 bytes to an INT, big-endian unless the byte order LITTLE_ENDIAN is given.', [
    sig(['BYTES'], 'INT', strict((b: Buffer) => readInt(b, 'BIG_ENDIAN'))),
    sig(['BYTES', 'STRING'], 'INT', strict(readInt)),
  ]),
  fn('BIGINT_FROM_BYTES', CONVERSIONS, 'Converts 8 bytes to a BIGINT, big-endian unless the byte order LITTLE_ENDIAN is given.', [
    sig(['BYTES'], 'BIGINT', strict((b: Buffer) => readBigInt(b, 'BIG_ENDIAN'))),
    sig(['BYTES', 'STRING'], 'BIGINT', strict(readBigInt)),
  ]),
  fn('DOUBLE_FROM_BYTES', CONVERSIONS, 'Converts 8 bytes to a DOUBLE, big-endian unless the byte order LITTLE_ENDIAN is given.', [
    sig(['BYTES'], 'DOUBLE', strict((b: Buffer) => readDouble(b, 'BIG_ENDIAN'))),
    sig(['BYTES', 'STRING'], 'DOUBLE', strict(readDouble)),
  ]),
];
