module.exports = require('./temp-hygiene').before;
