// zeromq.js's .mocharc.js with retries off: a case passes on its first run or not at all.
module.exports = {
  require: ["ts-node/register"],
  "expose-gc": true,
  "v8-expose-gc": true,
  exit: true,
  parallel: true,
  timeout: 6000,
  retries: 0,
  fullTrace: true,
  bail: false,
}
