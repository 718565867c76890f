#!/usr/bin/env node
'use strict';
require('./register-typescript');
require('../src/cli')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
