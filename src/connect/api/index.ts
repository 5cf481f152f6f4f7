/** The Connect plugin API: what built-in and third-party connectors, converters and transforms implement. */
export * from './schema.js';
export * from './connect-record.js';
export * from './config-def.js';
export * from './converter.js';
export * from './transformation.js';
export * from './connector.js';
export * from './errors.js';
