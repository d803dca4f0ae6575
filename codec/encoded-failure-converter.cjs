// The failure converter of an encrypting worker: a failure's message and stack trace move
// into an encoded attribute (a payload, which the codec encrypts) instead of staying in
// clear text. Plain CommonJS because the SDK loads it with require() outside the workflow
// sandbox and bundles it with webpack inside it (failureConverterPath).
/* global require, exports */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
