// Solves one proof-of-work challenge off the main thread (see undersigned/signatures/pow.py).
// The ALTCHA v2 scheme with iterated SHA-256: find the counter whose key
// SHA-256(salt ‖ nonce ‖ counter as a big-endian uint32) starts with keyPrefix.
// Receives the challenge's parameters; answers {counter, derivedKey, time}, or null.
"use strict";

var BATCH = 200; // digests in flight at once: awaiting each one alone halves the rate
var GIVE_UP_MS = 30000; // a challenge we cannot solve: stop, the form works without it

function fromHex(text) {
  var bytes = new Uint8Array(text.length / 2);
  for (var i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(text.substr(i * 2, 2), 16);
  }
  return bytes;
}

function toHex(bytes) {
  var text = "";
  for (var i = 0; i < bytes.length; i++) {
    text += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  }
  return text;
}

function startsWith(bytes, prefix) {
  for (var i = 0; i < prefix.length; i++) {
    if (bytes[i] !== prefix[i]) { return false; }
  }
  return true;
}

async function deriveKey(params, salt, nonce, counter) {
  var data = new Uint8Array(salt.length + nonce.length + 4);
  data.set(salt);
  data.set(nonce, salt.length);
  new DataView(data.buffer).setUint32(salt.length + nonce.length, counter);
  var key = data;
  for (var i = 0; i < Math.max(1, params.cost); i++) {
    key = new Uint8Array(await crypto.subtle.digest("SHA-256", key));
  }
  return key.subarray(0, params.keyLength);
}

async function solve(params) {
  if (params.algorithm !== "SHA-256" || params.keyPrefix.length % 2) { return null; }
  var salt = fromHex(params.salt);
  var nonce = fromHex(params.nonce);
  var prefix = fromHex(params.keyPrefix);
  var started = Date.now();
  for (var first = 0; Date.now() - started < GIVE_UP_MS; first += BATCH) {
    var keys = [];
    for (var counter = first; counter < first + BATCH; counter++) {
      keys.push(deriveKey(params, salt, nonce, counter));
    }
    keys = await Promise.all(keys);
    for (var i = 0; i < keys.length; i++) {
      if (startsWith(keys[i], prefix)) {
        return { counter: first + i, derivedKey: toHex(keys[i]), time: Date.now() - started };
      }
    }
  }
  return null;
}

self.onmessage = function (event) {
  solve(event.data).then(
    function (solution) { self.postMessage(solution); },
    function () { self.postMessage(null); }
  );
};
