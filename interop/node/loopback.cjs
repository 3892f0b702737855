// Preloaded with `node -r` into every Node peer the interop run starts: forces each
// listening socket onto 127.0.0.1, whatever host the program asked for (the TS SDK
// example calls `app.listen(port)`, which binds every interface). The run must never be
// reachable from anywhere but this machine. Also resolves `localhost` IPv4 first, so the
// example's own calls to http://localhost:PORT reach the sockets bound here.
'use strict';
const net = require('node:net');
const dns = require('node:dns');

dns.setDefaultResultOrder('ipv4first');
const HOST = '127.0.0.1';
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function loopbackListen(...args) {
  const [first] = args;
  if (first !== null && typeof first === 'object' && !(first instanceof net.Server) && first.path === undefined && first.fd === undefined && first.handle === undefined) {
    args[0] = { ...first, host: HOST }; // listen({ port, host }, cb)
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] === 'string') args[1] = HOST; // listen(port, host, ...)
    else args.splice(1, 0, HOST); // listen(port, [backlog], [cb])
  } else if (first === undefined || typeof first === 'function') {
    args.unshift({ port: 0, host: HOST }); // listen([cb]): an ephemeral port
  } // else a Unix socket path or a handle: not a network interface
  return listen.apply(this, args);
};
