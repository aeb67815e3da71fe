// The functions zmqw.h says the host supplies. Emscripten checks every undefined symbol against
// its JS libraries; a standalone module turns each entry here into a plain wasm import from
// "env", and this body is never used (there is no JS glue).
mergeInto(LibraryManager.library, {
  zw_host_entropy: function () {},
  zw_host_body_read: function () {},
})
