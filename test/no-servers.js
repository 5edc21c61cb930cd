// The fast project (npm run test:fast) starts no server: a listen() in one of its test files fails that file,
// saying where to move it. Installed for each test file and removed after it, because test files of both
// projects share the worker processes in `npm test` (core modules, and so net.Server, are the worker's own).
const net = require('node:net');

const listen = net.Server.prototype.listen;
beforeAll(() => {
  net.Server.prototype.listen = function refused() {
    throw new Error('this test starts a server: add it to TWIN in jest.config.js (npm run test:fast runs no servers)');
  };
});
afterAll(() => {
  net.Server.prototype.listen = listen;
});
