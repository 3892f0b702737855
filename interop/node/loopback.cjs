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

// A socket bound to 127.0.0.1:port right now, or null. Node binds a listen() with a host
// only after a DNS lookup, so `server.address()` just after `listen(0)` would be null;
// programs that read it at once (the official conformance suite's mocks do) need the
// synchronous bind an unpatched listen(0) has. Bound here, then handed to listen(handle).
function boundNow(port) {
  try {
    const { TCP, constants } = process.binding('tcp_wrap');
    const handle = new TCP(constants.SERVER);
    if (handle.bind(HOST, Number(port)) === 0) return handle;
    handle.close();
  } catch (_) { /* no binding: the asynchronous path below */ }
  return null;
}

net.Server.prototype.listen = function loopbackListen(...args) {
  const [first] = args;
  if (first !== null && typeof first === 'object' && !(first instanceof net.Server) && first.path === undefined && first.fd === undefined && first.handle === undefined) {
    const handle = first.host === undefined && first.port !== undefined ? boundNow(first.port) : null;
    if (handle) return listen.call(this, handle, first.backlog, ...args.slice(1)); // listen({ port }, cb)
    args[0] = { ...first, host: HOST }; // listen({ port, host }, cb)
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const handle = typeof args[1] === 'string' ? null : boundNow(first);
    if (handle) return listen.call(this, handle, ...args.slice(1)); // listen(port, [backlog], [cb])
    if (typeof args[1] === 'string') args[1] = HOST; // listen(port, host, ...)
    else args.splice(1, 0, HOST); // listen(port, [backlog], [cb])
  } else if (first === undefined || typeof first === 'function') {
    args.unshift({ port: 0, host: HOST }); // listen([cb]): an ephemeral port
  } // else a Unix socket path or a handle: not a network interface
  return listen.apply(this, args);
};
