// What helpers.ts's createWorker/createProcess require as the package root.
module.exports = require("@IMPL@")
