module.exports = require('./temp-hygiene').after;
