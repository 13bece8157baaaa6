// Loaded into js-ipfs with NODE_OPTIONS=--require: its dependency it-queue (through mortice and libp2p's peer store)
// calls Promise.withResolvers, which Node only has from version 22. Same semantics as the standard one.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve, reject;
      const promise = new this((res, rej) => { resolve = res; reject = rej; });
      return { promise, resolve, reject };
    },
  });
}
